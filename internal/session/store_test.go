package session_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/testfactory"
)

func TestStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	o := testfactory.Org(ctx, t, pool, nil)
	u := testfactory.User(ctx, t, pool, o, nil)
	key := bytes.Repeat([]byte{3}, 32)
	store := session.NewStore(pool, [][]byte{key}, time.Hour, true)

	// save writes a new session and returns its cookie.
	save := func(t *testing.T) *http.Cookie {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		s, err := store.New(r, session.CookieName)
		require.NoError(t, err)
		require.True(t, s.IsNew)
		s.Values[session.KeyUserID] = u.ID.String()
		s.Values[session.KeyOrgID] = o.ID.String()
		s.Values["note"] = "kept"
		w := httptest.NewRecorder()
		require.NoError(t, s.Save(r, w))
		cookies := w.Result().Cookies()
		require.Len(t, cookies, 1)
		require.True(t, cookies[0].Secure)
		require.True(t, cookies[0].HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, cookies[0].SameSite)
		return cookies[0]
	}
	load := func(t *testing.T, c *http.Cookie) *sessions.Session {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		s, err := store.New(r, session.CookieName)
		require.NoError(t, err)
		return s
	}

	t.Run("RoundTrip", func(t *testing.T) {
		s := load(t, save(t))
		require.False(t, s.IsNew)
		require.Equal(t, "kept", s.Values["note"])
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = sha256($1::bytea)`, []byte(s.ID)).Scan(&n))
		require.Equal(t, 1, n, "only the token's hash is stored")
	})
	t.Run("TamperedCookieIsANewSession", func(t *testing.T) {
		c := save(t)
		c.Value = c.Value[:len(c.Value)-2] + "xx"
		require.True(t, load(t, c).IsNew)
	})
	t.Run("OtherKeyIsRejected", func(t *testing.T) {
		c := save(t)
		other := session.NewStore(pool, [][]byte{bytes.Repeat([]byte{4}, 32)}, time.Hour, true)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		s, err := other.New(r, session.CookieName)
		require.NoError(t, err)
		require.True(t, s.IsNew)
	})
	t.Run("RotatedKeysStillVerify", func(t *testing.T) {
		c := save(t)
		rotated := session.NewStore(pool, [][]byte{bytes.Repeat([]byte{4}, 32), key}, time.Hour, true)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		s, err := rotated.New(r, session.CookieName)
		require.NoError(t, err)
		require.False(t, s.IsNew)
	})
	t.Run("ExpiredIsGoneAndSwept", func(t *testing.T) {
		c := save(t)
		_, err := pool.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 second'`)
		require.NoError(t, err)
		require.True(t, load(t, c).IsNew)
		n, err := session.DeleteExpired(ctx, pool)
		require.NoError(t, err)
		require.Positive(t, n)
	})
	t.Run("RefusesToSaveWithoutUser", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		s, _ := store.New(r, session.CookieName)
		require.Error(t, s.Save(r, httptest.NewRecorder()))
	})
	t.Run("RevokeUserKeepsOne", func(t *testing.T) {
		keep := load(t, save(t))
		gone := save(t)
		_, err := session.RevokeUser(ctx, pool, u.ID, keep.ID)
		require.NoError(t, err)
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&n))
		require.Equal(t, 1, n)
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = sha256($1::bytea)`, []byte(keep.ID)).Scan(&n))
		require.Equal(t, 1, n, "the kept session survives")
		require.True(t, load(t, gone).IsNew)
	})
}
