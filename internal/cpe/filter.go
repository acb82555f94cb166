package cpe

import "net/url"

// ParseFilter reads a device filter from query parameters: the devices
// page, its CSV export and GET /cpe/devices take the same ones. Limit is
// left to the caller (only the API reads one).
func ParseFilter(q url.Values) Filter {
	return Filter{Serial: q.Get("serial"), Subscriber: q.Get("subscriber"), Model: q.Get("model"),
		Firmware: q.Get("firmware"), Tag: q.Get("tag"), PONPort: q.Get("pon_port"), Status: q.Get("status"), Sort: q.Get("sort"), After: q.Get("after")}
}
