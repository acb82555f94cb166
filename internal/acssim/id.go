package acssim

import (
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// DeviceID builds a GenieACS device _id the way lib/util.ts generateDeviceId
// does: <OUI>-<ProductClass>-<SerialNumber>, or <OUI>-<SerialNumber> without
// a product class. In each part every character outside [A-Za-z0-9_]
// becomes "%" plus the upper-case hex of each UTF-8 byte, without zero
// padding (GenieACS uses byte.toString(16), so a tab is "%9").
func DeviceID(oui, productClass, serial string) string {
	if productClass != "" {
		return escapeIDPart(oui) + "-" + escapeIDPart(productClass) + "-" + escapeIDPart(serial)
	}
	return escapeIDPart(oui) + "-" + escapeIDPart(serial)
}

func escapeIDPart(s string) string {
	var b strings.Builder
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		if c >= 0x10 {
			b.WriteByte(hexUpper[c>>4])
		}
		b.WriteByte(hexUpper[c&0xf])
	}
	return b.String()
}

// errURIMalformed is decodeURIComponent's URIError; GenieACS does not catch
// it, so the request is dropped.
var errURIMalformed = errors.New("URIError: URI malformed")

// decodeURIComponent decodes %XX sequences and fails on bad escapes or
// invalid UTF-8, like the JS function.
func decodeURIComponent(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errURIMalformed
		}
		v, err := hex.DecodeString(s[i+1 : i+3])
		if err != nil {
			return "", errURIMalformed
		}
		b = append(b, v[0])
		i += 2
	}
	if !utf8.Valid(b) {
		return "", errURIMalformed
	}
	return string(b), nil
}

// mix is splitmix64's finalizer: a cheap, well-spread hash for the seeded
// per-device values.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashOf derives a value from a device seed and a salt.
func hashOf(seed uint64, salt uint64) uint64 { return mix(seed ^ mix(salt)) }

// rng is a small deterministic generator (splitmix64).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	x := r.s
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// oidGen makes MongoDB-style ObjectIds: 4 bytes of seconds, 5 bytes fixed
// per process (from the seed), 3 bytes counter.
type oidGen struct {
	mid     [5]byte
	counter atomic.Uint32
}

func newOIDGen(seed uint64) *oidGen {
	g := &oidGen{}
	h := mix(seed ^ 0x0b1ec7)
	for i := range g.mid {
		g.mid[i] = byte(h >> (8 * i))
	}
	g.counter.Store(uint32(mix(seed^0xc0) & 0xffffff))
	return g
}

func (g *oidGen) next(now time.Time) objectID {
	var b [12]byte
	sec := uint32(now.Unix())
	b[0], b[1], b[2], b[3] = byte(sec>>24), byte(sec>>16), byte(sec>>8), byte(sec)
	copy(b[4:9], g.mid[:])
	c := g.counter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return objectID(hex.EncodeToString(b[:]))
}

// parseObjectID accepts what `new ObjectId(s)` accepts: 24 hex digits or a
// 12-byte string.
func parseObjectID(s string) (objectID, bool) {
	if len(s) == 24 {
		if _, err := hex.DecodeString(s); err == nil {
			return objectID(strings.ToLower(s)), true
		}
		return "", false
	}
	if len(s) == 12 {
		return objectID(hex.EncodeToString([]byte(s))), true
	}
	return "", false
}
