package cpe

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	q := url.Values{"serial": {"48575443"}, "subscriber": {"alice"}, "model": {"HG8245"}, "firmware": {"V5"},
		"tag": {"north"}, "status": {"online"}, "sort": {"newest"}, "after": {"cursor"}, "limit": {"7"}}
	require.Equal(t, Filter{Serial: "48575443", Subscriber: "alice", Model: "HG8245", Firmware: "V5",
		Tag: "north", Status: "online", Sort: "newest", After: "cursor"}, ParseFilter(q), "limit is the caller's")
	require.Equal(t, Filter{}, ParseFilter(url.Values{}))
}
