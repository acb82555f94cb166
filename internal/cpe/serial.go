package cpe

import (
	"encoding/hex"
	"regexp"
	"strings"
)

var hexSerial = regexp.MustCompile(`^[0-9A-F]{16}$`)

// NormalizeSerial returns the label form of a serial, upper-case. GPON ONTs
// carry a 4-letter vendor id plus 8 hex digits (HWTCA1B2C3D4); Huawei
// reports it over TR-069 with the vendor id hex-encoded (48575443A1B2C3D4).
// Both give the same result.
func NormalizeSerial(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if hexSerial.MatchString(s) {
		vendor, err := hex.DecodeString(s[:8])
		if err == nil && isUpperLetters(vendor) {
			return string(vendor) + s[8:]
		}
	}
	return s
}

func isUpperLetters(b []byte) bool {
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
