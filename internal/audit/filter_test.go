package audit

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	tests := []struct {
		name   string
		query  string
		want   Filter
		errors []string
	}{
		{"Empty", "", Filter{}, nil},
		{"DatesToIsInclusive", "from=2026-11-01&to=2026-11-02", Filter{From: day("2026-11-01"), To: day("2026-11-03")}, nil},
		{"RFC3339Exact", "to=2026-11-02T10:00:00Z", Filter{To: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}, nil},
		{"Cursor", "before=1795747565000001.99&limit=10&actor=a@b.example&action=user.",
			Filter{Before: &Cursor{At: time.UnixMicro(1795747565000001), ID: 99}, Limit: 10, Actor: "a@b.example", Action: "user."}, nil},
		{"BadDate", "from=yesterday", Filter{}, []string{"from"}},
		{"Reversed", "from=2026-11-05&to=2026-11-01", Filter{}, []string{"to"}},
		{"BadCursorAndLimit", "before=-1&limit=0", Filter{}, []string{"before", "limit"}},
		{"CursorWithoutID", "before=1795747565000001", Filter{}, []string{"before"}},
		{"LimitTooBig", "limit=201", Filter{}, []string{"limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			got, errs := ParseFilter(q)
			if tt.errors != nil {
				for _, f := range tt.errors {
					require.Contains(t, errs, f)
				}
				require.Len(t, errs, len(tt.errors))
				return
			}
			require.Empty(t, errs)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	require.Equal(t, `a\%b\_c\\`, escapeLike(`a%b_c\`))
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := Cursor{At: time.Date(2026, 11, 27, 2, 34, 18, 123456000, time.UTC), ID: 42}
	got, err := ParseCursor(c.String())
	require.NoError(t, err)
	require.True(t, c.At.Equal(got.At))
	require.Equal(t, c.ID, got.ID)
}
