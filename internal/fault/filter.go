package fault

import "net/url"

// ParseFilter reads the text fields of a fault filter from query
// parameters (status, code, model, after), as the fault board and
// GET /cpe/faults take them. Device and Limit are left to the caller (only
// the API reads them).
func ParseFilter(q url.Values) Filter {
	return Filter{Status: q.Get("status"), Code: q.Get("code"), Model: q.Get("model"), After: q.Get("after")}
}
