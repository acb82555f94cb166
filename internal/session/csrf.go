package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
)

// CSRF tokens are bound to who holds them. A signed-in session's token is an
// HMAC (under SESSION_KEYS) of its session token, so it differs per session,
// changes at every login (a login always starts a new session) and dies with
// the session at logout; it needs no storage. Before sign-in (the login
// form) the token is the HMAC of a random pre-session cookie, which login
// and logout remove, so a token seen before sign-in is refused after it.

// csrfCookieName is the pre-session CSRF cookie's name (see CSRFCookieName).
const csrfCookieName = "fyberpay_csrf"

// hostPrefix makes a cookie host-only, Secure and Path=/ in browsers that
// honour it (RFC 6265bis): a sibling subdomain cannot plant or overwrite it.
const hostPrefix = "__Host-"

// Name is the session cookie's name: CookieName, with the __Host- prefix
// when cookies are Secure (PUBLIC_URL is https).
func (s *Store) Name() string { return s.prefix() + CookieName }

// CSRFCookieName is the pre-session CSRF cookie's name, prefixed as Name.
func (s *Store) CSRFCookieName() string { return s.prefix() + csrfCookieName }

func (s *Store) prefix() string {
	if s.options.Secure {
		return hostPrefix
	}
	return ""
}

// NewPreSession returns a fresh pre-session value and the cookie carrying it.
func (s *Store) NewPreSession() (string, *http.Cookie) {
	v := newToken()
	return v, s.preSessionCookie(v, int((24 * time.Hour).Seconds()))
}

// ForgetPreSession is the cookie that deletes the pre-session cookie.
func (s *Store) ForgetPreSession() *http.Cookie { return s.preSessionCookie("", -1) }

func (s *Store) preSessionCookie(v string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: s.CSRFCookieName(), Value: v, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.options.Secure, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.Expires = time.Now().Add(time.Duration(maxAge) * time.Second)
	}
	return c
}

// ValidPreSession reports whether v looks like a value NewPreSession made.
func ValidPreSession(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// CSRFToken is the token forms must carry: bound to sess when it is a
// signed-in session, else to the pre-session value pre ("" when there is
// neither).
func (s *Store) CSRFToken(sess *sessions.Session, pre string) string {
	kind, id := csrfSubject(sess, pre)
	if id == "" || len(s.keys) == 0 {
		return ""
	}
	return csrfMAC(s.keys[0], kind, id)
}

// CheckCSRF reports whether token is the CSRF token of sess (or of pre
// before sign-in), under any of the keys (so rotating SESSION_KEYS keeps
// open forms working).
func (s *Store) CheckCSRF(sess *sessions.Session, pre, token string) bool {
	kind, id := csrfSubject(sess, pre)
	if id == "" || token == "" {
		return false
	}
	ok := false
	for _, k := range s.keys {
		ok = hmac.Equal([]byte(csrfMAC(k, kind, id)), []byte(token)) || ok
	}
	return ok
}

func csrfSubject(sess *sessions.Session, pre string) (kind, id string) {
	if sess != nil && !sess.IsNew && sess.ID != "" {
		return "session", sess.ID
	}
	if ValidPreSession(pre) {
		return "pre-session", pre
	}
	return "", ""
}

// csrfMAC is HMAC-SHA256(HMAC-SHA256(key, purpose), kind NUL id): a key of
// its own derived from the session key, and the two kinds of subject kept
// apart.
func csrfMAC(key []byte, kind, id string) string {
	sub := hmac.New(sha256.New, key)
	sub.Write([]byte("fyberpay csrf token v1"))
	m := hmac.New(sha256.New, sub.Sum(nil))
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
