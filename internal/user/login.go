package user

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/validation"
)

// Limits tune login throttling.
type Limits struct {
	PerEmail int           // failures per e-mail within Window before a lock
	PerIP    int           // failures per client IP within Window (an office NAT shares one)
	Window   time.Duration // failures older than this are forgotten
	Lockout  time.Duration // how long a lock lasts

	// HashSlots bounds concurrent argon2id runs in the process (login,
	// password change, user creation); HashWait is how long a request
	// waits for a slot before ErrBusy. Defaults: max(2, GOMAXPROCS), 1 s.
	HashSlots int
	HashWait  time.Duration
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
	if l.HashSlots == 0 {
		l.HashSlots = defaultHashSlots()
	}
	if l.HashWait == 0 {
		l.HashWait = time.Second
	}
	return l
}

// ThrottledError says logins are refused until RetryAfter has passed.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "too many failed logins; try again in " + inWords(e.RetryAfter)
}

// inWords is a wait as people say it: "15 minutes", "42 seconds".
func inWords(d time.Duration) string {
	if d >= time.Minute {
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	s := max(int((d+time.Second-1)/time.Second), 1)
	if s == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}

// Authenticate checks an e-mail and password from ip. Before any hashing it
// reserves a failure against the e-mail and the IP in one statement, so N
// concurrent wrong attempts verify at most the limit and the rest are
// refused as throttled; a success takes its reservation back and clears
// the e-mail's count. Hashing waits for one of the process's slots
// (ErrBusy past HashWait).
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	clean := validation.CleanText(email)
	keyEmail := email
	if !clean { // counted under a form PostgreSQL can store
		keyEmail = strconv.QuoteToASCII(email)
	}
	keys := []string{"email:" + keyEmail, "ip:" + ip}
	if err := s.reserve(ctx, keys); err != nil {
		return Principal{}, err
	}

	var (
		p    Principal
		hash string
	)
	found := false
	// An e-mail PostgreSQL cannot hold (NUL, invalid UTF-8) names nobody:
	// it is an ordinary failure, compared against the dummy hash alike.
	if clean {
		type withHash struct {
			Principal
			PasswordHash string `db:"password_hash"`
		}
		r, err := db.One[withHash](ctx, s.pool, `SELECT `+principalColumns+`, u.password_hash
			FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.email = $1`, email)
		if err = db.MapErr(err); err != nil && !errors.Is(err, db.ErrNotFound) {
			return Principal{}, s.unreserve(ctx, keys, err)
		}
		found = err == nil
		p, hash = r.Principal, r.PasswordHash
	}
	if !found {
		hash = s.dummyHash
	}
	ok, herr := s.hash.compare(ctx, password, hash)
	if unverified(herr) {
		return Principal{}, s.unreserve(ctx, keys, herr)
	}
	if herr != nil || !ok || !found || p.Disabled {
		return Principal{}, ErrBadCredentials
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, keys[0]); err != nil {
			return err
		}
		if err := s.release(ctx, tx, keys[1:]); err != nil {
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

// reserve counts one failure against every key before the password is
// looked at, in one statement: rows are locked in turn, so concurrent
// attempts see each other's reservations. A key whose count passes its
// limit within the window refuses the attempt (ThrottledError) and the
// reservations of the other keys are given back; the limit-th reservation
// starts the lock. A lock or window that has passed starts a new count.
// Unknown e-mails count alike, so probing for accounts is throttled too.
func (s *Service) reserve(ctx context.Context, keys []string) error {
	rows, err := s.pool.Query(ctx, `
		INSERT INTO login_failures AS f (key, failures, window_start)
		SELECT k, 1, now() FROM unnest($1::text[]) AS k
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE
				WHEN f.locked_until > now() THEN f.failures + 1
				WHEN f.locked_until IS NOT NULL OR f.window_start < now() - make_interval(secs => $2) THEN 1
				ELSE f.failures + 1 END,
			window_start = CASE
				WHEN f.locked_until > now() THEN f.window_start
				WHEN f.locked_until IS NOT NULL OR f.window_start < now() - make_interval(secs => $2) THEN now()
				ELSE f.window_start END,
			locked_until = CASE
				WHEN f.locked_until > now() THEN f.locked_until
				WHEN f.locked_until IS NOT NULL OR f.window_start < now() - make_interval(secs => $2) THEN NULL
				WHEN f.failures + 1 >= (CASE WHEN f.key LIKE 'ip:%' THEN $4::int ELSE $3::int END) THEN now() + make_interval(secs => $5)
				ELSE NULL END
		RETURNING key, failures, locked_until, now() AS now`,
		keys, s.limits.Window.Seconds(), s.limits.PerEmail, s.limits.PerIP, s.limits.Lockout.Seconds())
	if err != nil {
		return fmt.Errorf("reserve login attempt: %w", err)
	}
	counted, err := pgx.CollectRows(rows, pgx.RowToStructByName[struct {
		Key         string     `db:"key"`
		Failures    int        `db:"failures"`
		LockedUntil *time.Time `db:"locked_until"`
		Now         time.Time  `db:"now"`
	}])
	if err != nil {
		return fmt.Errorf("reserve login attempt: %w", err)
	}
	var (
		wait time.Duration
		ok   []string
	)
	for _, c := range counted {
		if c.Failures <= s.limitOf(c.Key) {
			ok = append(ok, c.Key)
			continue
		}
		w := s.limits.Lockout
		if c.LockedUntil != nil {
			w = c.LockedUntil.Sub(c.Now)
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return s.unreserve(ctx, ok, &ThrottledError{RetryAfter: wait})
	}
	return nil
}

func (s *Service) limitOf(key string) int {
	if strings.HasPrefix(key, "ip:") {
		return s.limits.PerIP
	}
	return s.limits.PerEmail
}

// release gives back one reserved failure per key: the attempt was not a
// wrong password (it succeeded, or was refused before hashing). A lock
// that the count no longer reaches is lifted.
func (s *Service) release(ctx context.Context, exec db.Executor, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := exec.Exec(ctx, `UPDATE login_failures SET
			failures = greatest(failures - 1, 0),
			locked_until = CASE WHEN failures - 1 < (CASE WHEN key LIKE 'ip:%' THEN $3::int ELSE $2::int END) THEN NULL ELSE locked_until END
		WHERE key = ANY($1)`, keys, s.limits.PerEmail, s.limits.PerIP)
	if err != nil {
		return fmt.Errorf("release login attempt: %w", err)
	}
	return nil
}

// unreserve releases keys and returns cause (or the release's failure).
func (s *Service) unreserve(ctx context.Context, keys []string, cause error) error {
	if err := s.release(context.WithoutCancel(ctx), s.pool, keys); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// HashRuns is how many argon2id runs the service has started (tests and
// benchmarks count verifications with it).
func (s *Service) HashRuns() int64 { return s.hash.runs.Load() }

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
