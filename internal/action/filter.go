package action

import "net/url"

// ParseFilter reads the text fields of a task filter from query parameters
// (status, kind, after), as the tasks page and GET /cpe/tasks take them.
// Device, Bulk and Limit are left to the caller: the page and the API word
// a malformed id differently, and only the API reads a limit.
func ParseFilter(q url.Values) Filter {
	return Filter{Status: q.Get("status"), Kind: q.Get("kind"), After: q.Get("after")}
}
