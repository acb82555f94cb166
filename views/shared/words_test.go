package shared

import (
	"testing"
	"time"
)

func TestSpanAndAgo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		30 * time.Second:                 "under a minute",
		5 * time.Minute:                  "5 min",
		2*time.Hour + 10*time.Minute:     "2 h 10 min",
		26 * time.Hour:                   "1 day 2 h",
		(3*24+4)*time.Hour + time.Hour/2: "3 days 4 h",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Ago(now.Add(-3*time.Minute), now); got != "3 min ago" {
		t.Errorf("Ago = %q", got)
	}
	if got := Ago(now.Add(-10*time.Second), now); got != "just now" {
		t.Errorf("Ago = %q", got)
	}
}
