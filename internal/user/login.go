package user

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/session"
)

// Limits tune login throttling.
type Limits struct {
	PerEmail int           // failures per e-mail within Window before a lock
	PerIP    int           // failures per client IP within Window (an office NAT shares one)
	Window   time.Duration // failures older than this are forgotten
	Lockout  time.Duration // how long a lock lasts
}

func (l Limits) withDefaults() Limits {
	if l.PerEmail == 0 {
		l.PerEmail = 5
	}
	if l.PerIP == 0 {
		l.PerIP = 20
	}
	if l.Window == 0 {
		l.Window = 15 * time.Minute
	}
	if l.Lockout == 0 {
		l.Lockout = 15 * time.Minute
	}
	return l
}

// ThrottledError says logins are refused until RetryAfter has passed.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %s", e.RetryAfter.Round(time.Second))
}

// Authenticate checks an e-mail and password from ip. It refuses locked
// e-mails and IPs before looking at the password, counts failures, and
// clears the e-mail's count on success.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{"email:" + email, "ip:" + ip}
	if wait, err := s.lockedFor(ctx, keys); err != nil {
		return Principal{}, err
	} else if wait > 0 {
		return Principal{}, &ThrottledError{RetryAfter: wait}
	}

	var (
		p    Principal
		hash string
	)
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.org_id, u.email, u.name, u.role, u.disabled, u.created_at, u.password_changed_at,
			o.slug, o.name, u.password_hash
		FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.email = $1`, email).
		Scan(append(p.scanDest(), &p.OrgSlug, &p.OrgName, &hash)...)
	if err = db.MapErr(err); err != nil && !errors.Is(err, db.ErrNotFound) {
		return Principal{}, err
	}
	found := err == nil
	if !found {
		hash = s.dummyHash
	}
	ok, herr := argon2id.ComparePasswordAndHash(password, hash)
	if herr != nil || !ok || !found || p.Disabled {
		if err := s.recordFailure(ctx, email, ip); err != nil {
			return Principal{}, err
		}
		return Principal{}, ErrBadCredentials
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, keys[0]); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Actor{Kind: actor.KindUser, ID: p.ID, Label: p.Email, OrgID: p.OrgID, Role: p.Role, IP: ip},
			audit.Entry{Action: "user.login", TargetType: "user", TargetID: p.ID.String(), Summary: "signed in"})
	})
	if err != nil {
		return Principal{}, fmt.Errorf("record login: %w", err)
	}
	return p, nil
}

// lockedFor returns how long the longest lock among keys still lasts.
func (s *Service) lockedFor(ctx context.Context, keys []string) (time.Duration, error) {
	var until *time.Time
	err := s.pool.QueryRow(ctx, `SELECT max(locked_until) FROM login_failures WHERE key = ANY($1) AND locked_until > now()`, keys).Scan(&until)
	if err != nil {
		return 0, fmt.Errorf("read login throttle: %w", err)
	}
	if until == nil {
		return 0, nil
	}
	return time.Until(*until), nil
}

// recordFailure counts one failure against the e-mail and the IP, locking
// either once its limit is reached within the window. A failure for an
// unknown e-mail counts too, so probing for accounts is throttled alike.
func (s *Service) recordFailure(ctx context.Context, email, ip string) error {
	for _, k := range []struct {
		key   string
		limit int
	}{{"email:" + email, s.limits.PerEmail}, {"ip:" + ip, s.limits.PerIP}} {
		_, err := s.pool.Exec(ctx, `
			INSERT INTO login_failures AS f (key, failures, window_start) VALUES ($1, 1, now())
			ON CONFLICT (key) DO UPDATE SET
				failures     = CASE WHEN f.window_start < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END,
				window_start = CASE WHEN f.window_start < now() - make_interval(secs => $2) THEN now() ELSE f.window_start END,
				locked_until = CASE
					WHEN f.window_start >= now() - make_interval(secs => $2) AND f.failures + 1 >= $3 THEN now() + make_interval(secs => $4)
					ELSE f.locked_until END`,
			k.key, s.limits.Window.Seconds(), k.limit, s.limits.Lockout.Seconds())
		if err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// DeleteStaleFailures forgets failure counters whose window and lock have
// both passed; the housekeeping job calls it.
func DeleteStaleFailures(ctx context.Context, exec db.Executor, window time.Duration) (int64, error) {
	tag, err := exec.Exec(ctx, `DELETE FROM login_failures
		WHERE window_start < now() - make_interval(secs => $1) AND (locked_until IS NULL OR locked_until < now())`, window.Seconds())
	if err != nil {
		return 0, fmt.Errorf("delete stale login failures: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Logout ends the session whose token is given and records it, in one
// transaction.
func (s *Service) Logout(ctx context.Context, a actor.Actor, token string) error {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := session.Delete(ctx, tx, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "user.logout", TargetType: "user", TargetID: a.ID.String(), Summary: "signed out"})
	})
}
