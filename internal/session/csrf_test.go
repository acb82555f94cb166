package session_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/session"
)

func TestCSRFTokens(t *testing.T) {
	t.Parallel()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	store := session.NewStore(nil, [][]byte{k1}, time.Hour, false)
	signedIn := func(id string) *sessions.Session {
		s := sessions.NewSession(store, store.Name())
		s.ID, s.IsNew = id, false
		return s
	}
	anon := sessions.NewSession(store, store.Name())
	anon.IsNew = true
	pre, cookie := store.NewPreSession()
	require.Equal(t, "fyberpay_csrf", cookie.Name)
	require.True(t, session.ValidPreSession(pre))

	a, b := signedIn("session-a"), signedIn("session-b")
	ta, tb, tp := store.CSRFToken(a, pre), store.CSRFToken(b, pre), store.CSRFToken(anon, pre)
	require.NotEqual(t, ta, tb)
	require.NotEqual(t, ta, tp, "signed in, the pre-session cookie does not count")
	require.True(t, store.CheckCSRF(a, pre, ta))
	require.False(t, store.CheckCSRF(b, pre, ta), "one session's token in another")
	require.False(t, store.CheckCSRF(a, pre, tp), "the sign-in form's token after sign-in")
	require.True(t, store.CheckCSRF(anon, pre, tp))
	require.False(t, store.CheckCSRF(anon, "", tp), "without its cookie")
	require.False(t, store.CheckCSRF(anon, "not-a-pre-session", ""), "no subject, no token")
	require.Empty(t, store.CSRFToken(anon, ""))

	rotated := session.NewStore(nil, [][]byte{k2, k1}, time.Hour, true)
	require.True(t, rotated.CheckCSRF(a, "", ta), "a page opened before a key rotation still posts")
	require.NotEqual(t, ta, rotated.CSRFToken(a, ""), "new pages get the new key's token")
	require.False(t, session.NewStore(nil, [][]byte{k2}, time.Hour, true).CheckCSRF(a, "", ta), "a retired key's token")
	require.Equal(t, "__Host-fyberpay_session", rotated.Name())
	require.Equal(t, "__Host-fyberpay_csrf", rotated.CSRFCookieName())
}
