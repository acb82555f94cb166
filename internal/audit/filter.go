package audit

import (
	"net/url"
	"strconv"
	"time"
)

// ParseFilter reads actor, action, from, to (YYYY-MM-DD or RFC 3339;
// "to" as a date is inclusive), before and limit. It is shared with the
// JSON API so both accept the same parameters.
func ParseFilter(q url.Values) (Filter, map[string]string) {
	errs := map[string]string{}
	f := Filter{Actor: q.Get("actor"), Action: q.Get("action"), TargetType: q.Get("targetType"), TargetID: q.Get("targetId")}
	parse := func(field string, endOfDay bool) time.Time {
		v := q.Get(field)
		if v == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			errs[field] = "must be a date (YYYY-MM-DD) or an RFC 3339 time"
			return time.Time{}
		}
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t
	}
	f.From = parse("from", false)
	f.To = parse("to", true)
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs["to"] = "must be after from"
	}
	if v := q.Get("before"); v != "" {
		c, err := ParseCursor(v)
		if err != nil {
			errs["before"] = "must be the next cursor of a previous page"
		} else {
			f.Before = &c
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			errs["limit"] = "must be between 1 and " + strconv.Itoa(MaxLimit)
		}
		f.Limit = n
	}
	return f, errs
}
