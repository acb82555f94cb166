package subscriber

import "net/url"

// ParseFilter reads a subscriber filter from query parameters (q, status,
// after), as the subscribers page and GET /cpe/subscribers take them.
// Limit is left to the caller (only the API reads one).
func ParseFilter(q url.Values) Filter {
	return Filter{Q: q.Get("q"), Status: q.Get("status"), After: q.Get("after")}
}
