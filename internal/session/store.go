// Package session is a gorilla/sessions store kept in PostgreSQL. The cookie
// holds a random token, signed with SESSION_KEYS; the sessions table holds
// only the token's SHA-256, the user, an expiry and the values. Deleting rows
// revokes sessions at once on every replica (logout, password change,
// disabled user).
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// CookieName is the session cookie's name over plain http; Store.Name
// is the name in use (__Host- prefixed under https).
const CookieName = "fyberpay_session"

// Value keys a session must carry before it is saved.
const (
	KeyUserID = "user_id"
	KeyOrgID  = "org_id"
)

// Store implements sessions.Store on the sessions table.
type Store struct {
	pool    *pgxpool.Pool
	codecs  []securecookie.Codec
	keys    [][]byte // SESSION_KEYS, first first: CSRF tokens derive from them
	ttl     time.Duration
	options sessions.Options
}

// NewStore builds a store. keys sign cookies (first signs, all verify);
// secure sets the cookie's Secure flag and __Host- prefix (PUBLIC_URL is
// https).
func NewStore(pool *pgxpool.Pool, keys [][]byte, ttl time.Duration, secure bool) *Store {
	pairs := make([][]byte, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, nil) // sign only: the token itself is random and useless without the row
	}
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(ttl.Seconds()))
		}
	}
	return &Store{
		pool:   pool,
		codecs: codecs,
		keys:   keys,
		ttl:    ttl,
		options: sessions.Options{
			Path: "/", MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		},
	}
}

// Get returns the request's cached session, loading it once per request.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a new,
// empty one when there is no valid cookie or the row is gone or expired.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var token string
	if err := securecookie.DecodeMulti(name, c.Value, &token, s.codecs...); err != nil {
		return sess, nil // tampered, expired or signed with a retired key: start afresh
	}
	row, err := db.One[struct {
		Data     []byte    `db:"data"`
		LastSeen time.Time `db:"last_seen_at"`
	}](r.Context(), s.pool, `SELECT data, last_seen_at FROM sessions
		WHERE token_hash = $1 AND expires_at > now()`, hash(token))
	if err = db.MapErr(err); errors.Is(err, db.ErrNotFound) {
		return sess, nil
	} else if err != nil {
		return sess, fmt.Errorf("load session: %w", err)
	}
	vals := map[string]any{}
	if err := json.Unmarshal(row.Data, &vals); err != nil {
		return sess, fmt.Errorf("decode session: %w", err)
	}
	for k, v := range vals {
		sess.Values[k] = v
	}
	sess.ID = token
	sess.IsNew = false
	if time.Since(row.LastSeen) > time.Minute {
		// Cheap activity marker for the Users page; at most one write a minute.
		_, _ = s.pool.Exec(r.Context(), `UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1`, hash(token))
	}
	return sess, nil
}

// Save writes the session row and the cookie; MaxAge < 0 deletes both.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash(sess.ID)); err != nil {
				return fmt.Errorf("delete session: %w", err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	userID, err := uuidValue(sess.Values[KeyUserID])
	if err != nil {
		return errors.New("session: refusing to save a session without a user")
	}
	orgID, err := uuidValue(sess.Values[KeyOrgID])
	if err != nil {
		return errors.New("session: refusing to save a session without an organization")
	}
	vals := map[string]any{}
	for k, v := range sess.Values {
		ks, ok := k.(string)
		if !ok {
			return fmt.Errorf("session: key %v is not a string", k)
		}
		vals[ks] = v
	}
	data, err := json.Marshal(vals)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if sess.ID == "" {
		sess.ID = newToken()
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, org_id, data, ip, user_agent, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
		ON CONFLICT (token_hash) DO UPDATE SET data = EXCLUDED.data, last_seen_at = now()`,
		hash(sess.ID), userID, orgID, data, clientIP(r), validation.Storable(r.UserAgent(), 300), s.ttl.Seconds())
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.codecs...)
	if err != nil {
		return fmt.Errorf("sign session cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// RevokeUser deletes every session of a user, except the one whose token is
// keep (empty: none kept). It runs on the caller's transaction.
func RevokeUser(ctx context.Context, exec db.Executor, userID uuid.UUID, keep string) (int64, error) {
	var keepHash []byte
	if keep != "" {
		keepHash = hash(keep)
	}
	tag, err := exec.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)`, userID, keepHash)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Delete removes one session by its token, on the caller's transaction.
func Delete(ctx context.Context, exec db.Executor, token string) error {
	if _, err := exec.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpired removes expired sessions; the housekeeping job calls it.
func DeleteExpired(ctx context.Context, exec db.Executor) (int64, error) {
	tag, err := exec.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= now()`)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func uuidValue(v any) (uuid.UUID, error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, errors.New("not a string")
	}
	return uuid.Parse(s)
}

// clientIP is the client address the edge resolved (WithClientIP), else the
// TCP peer. It is recorded beside the session for the Users page.
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(ipKey{}).(string); ok {
		return ip
	}
	return r.RemoteAddr
}

type ipKey struct{}

// WithClientIP stores the resolved client IP in the request context, so the
// store can record it beside the session.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}
