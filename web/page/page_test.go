package page_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

// follow asserts a 303 to want and opens it.
func follow(t *testing.T, br *webtest.Browser, p webtest.Page, want string) webtest.Page {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	require.Equal(t, want, p.Header.Get("Location"))
	next := br.Get(want)
	require.Equal(t, http.StatusOK, next.Status, next.Body)
	return next
}

// requireForbidden asserts the role error page (not a CSRF refusal, which is
// a 403 too).
func requireForbidden(t *testing.T, p webtest.Page, what string) {
	t.Helper()
	require.Equal(t, http.StatusForbidden, p.Status, "%s: %s", what, p.Body)
	require.Equal(t, "your role does not allow this", p.TestID("error-message").Text(), what)
}
