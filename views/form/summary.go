package form

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// labels are the names people see for fields whose name is not already
// a word (the error keys the services use).
var labels = map[string]string{
	"ssid": "SSID", "url": "URL", "downloadUrl": "Download URL", "timeoutMs": "Timeout (ms)",
	"pppoeUsername": "PPPoE username", "pppoePassword": "PPPoE password", "planId": "Plan",
	"oui": "OUI", "productClass": "Product class", "genieacsGroup": "GenieACS group",
	"new_password": "New password", "current_password": "Current password", "confirm_password": "Confirm password",
	"maxInFlight": "Devices at once", "filter": "Filter", "ids": "Selection",
	"ponPort": "PON port", "pon_port": "PON port",
}

// Label is a field's name for people: "SSID" for ssid, "Window from" for
// window.from, "Parameters" for parameters[0].
func Label(field string) string {
	if l, ok := labels[field]; ok {
		return l
	}
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i]
	}
	if l, ok := labels[field]; ok {
		return l
	}
	var b strings.Builder
	for i, r := range field {
		switch {
		case r == '.' || r == '_':
			b.WriteByte(' ')
		case i > 0 && unicode.IsUpper(r):
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return field
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Item is one line of the error summary.
type Item struct{ Field, Label, Message string }

// Items are the errors in a stable order (by field name).
func Items(errs Errors) []Item {
	out := make([]Item, 0, len(errs))
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		out = append(out, Item{Field: k, Label: Label(k), Message: errs[k]})
	}
	return out
}
