package shared

import (
	"fmt"
	"time"
)

// Span says a duration as people say it, to the two largest units:
// "under a minute", "5 min", "2 h 10 min", "3 days 4 h".
func Span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		return fmt.Sprintf("%d h %d min", h, int(d.Minutes())-60*h)
	}
	days := int(d.Hours()) / 24
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	return fmt.Sprintf("%d %s %d h", days, unit, int(d.Hours())-24*days)
}

// Ago says how long before now t was: "3 min ago", "just now".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return Span(d) + " ago"
}
