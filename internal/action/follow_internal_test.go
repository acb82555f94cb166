package action

import (
	"testing"
	"time"
)

func TestFollowIntervalBacksOffWithAge(t *testing.T) {
	t.Parallel()
	every := 15 * time.Second
	for _, tc := range []struct{ age, want time.Duration }{
		{0, every},                          // just sent: the default
		{2 * time.Minute, every},            // a tenth is 12 s: still the default
		{10 * time.Minute, time.Minute},     // a tenth of its age
		{50 * time.Minute, 5 * time.Minute}, // reaches 20 × every
		{20 * time.Hour, 5 * time.Minute},   // and stays there
	} {
		if got := followInterval(every, tc.age); got != tc.want {
			t.Errorf("followInterval(%s, %s) = %s, want %s", every, tc.age, got, tc.want)
		}
	}
	if got := followInterval(time.Second, time.Hour); got != 20*time.Second {
		t.Errorf("e2e's 1 s: capped at %s, got %s", 20*time.Second, got)
	}
}
