package shared

import (
	"context"
	"time"
)

type locationKey struct{}

// WithLocation makes the pages rendered with ctx show times in loc (the
// organization's time zone).
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey{}, loc)
}

// Location is the time zone pages rendered with ctx show times in (UTC by
// default).
func Location(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.UTC
}

// LocalTime is t as the page shows it: in the organization's zone, with
// the zone's abbreviation ("2026-12-07 10:42 EAT"), or in UTC.
func LocalTime(ctx context.Context, t time.Time) string {
	loc := Location(ctx)
	if loc == time.UTC {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// relativeTitle is a relative time's hover: the exact time, local and UTC.
func relativeTitle(ctx context.Context, t time.Time) string {
	utc := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if Location(ctx) == time.UTC {
		return utc
	}
	return LocalTime(ctx, t) + " (" + utc + ")"
}
