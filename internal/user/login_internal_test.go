package user

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/org"
)

const testPassword = "correct-horse-battery"

// loginFixture is a service on its own database with one account.
func loginFixture(t testing.TB, memoryKiB uint32, limits Limits) (*Service, *pgxpool.Pool, User) {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	o, err := org.Create(ctx, pool, "burst", "Burst ISP")
	require.NoError(t, err)
	s := NewService(pool, memoryKiB, limits)
	u, err := s.CreateForOrg(ctx, o.Slug, Input{Email: "noc@burst.example", Role: string(actor.RoleAdmin), Password: testPassword})
	require.NoError(t, err)
	return s, pool, u
}

func failures(t *testing.T, pool *pgxpool.Pool, key string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT coalesce(max(failures), 0) FROM login_failures WHERE key = $1`, key).Scan(&n))
	return n
}

// TestLoginBurstVerifiesAtMostTheLimit: 100 concurrent wrong passwords for
// one account, from 100 addresses, run argon2id at most PerEmail times;
// the rest are refused as throttled before any hashing.
func TestLoginBurstVerifiesAtMostTheLimit(t *testing.T) {
	t.Parallel()
	s, pool, u := loginFixture(t, 1024, Limits{HashWait: 10 * time.Second})
	ctx := context.Background()
	before := s.HashRuns()

	var (
		wg                    sync.WaitGroup
		mu                    sync.Mutex
		bad, throttled, other int
	)
	start := make(chan struct{})
	for i := range 100 {
		wg.Go(func() {
			<-start
			_, err := s.Authenticate(ctx, u.Email, "wrong-password", fmt.Sprintf("198.51.100.%d", i))
			var te *ThrottledError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrBadCredentials):
				bad++
			case errors.As(err, &te):
				throttled++
			default:
				other++
				t.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	runs := s.HashRuns() - before
	t.Logf("100 concurrent wrong logins: %d verified, %d throttled, %d argon2id runs", bad, throttled, runs)
	require.Zero(t, other)
	require.Equal(t, 5, bad, "exactly the limit is verified")
	require.Equal(t, 95, throttled)
	require.LessOrEqual(t, runs, int64(5))
	require.GreaterOrEqual(t, failures(t, pool, "email:"+u.Email), 5)

	_, err := s.Authenticate(ctx, u.Email, testPassword, "203.0.113.9")
	var te *ThrottledError
	require.ErrorAs(t, err, &te, "the account stays locked, even for the right password")
	require.Equal(t, runs, s.HashRuns()-before, "a locked account costs no hashing")
}

// TestLoginBusyRefusesWithoutHashing: with every hashing slot taken, a
// login waits HashWait, then answers ErrBusy without hashing and without
// counting a failure against the e-mail or the address.
func TestLoginBusyRefusesWithoutHashing(t *testing.T) {
	t.Parallel()
	s, pool, u := loginFixture(t, 1024, Limits{HashSlots: 1, HashWait: 20 * time.Millisecond})
	ctx := context.Background()
	release, err := s.hash.acquire(ctx)
	require.NoError(t, err)
	runs := s.HashRuns()

	_, err = s.Authenticate(ctx, u.Email, testPassword, "192.0.2.50")
	require.ErrorIs(t, err, ErrBusy)
	require.Equal(t, runs, s.HashRuns())
	require.Zero(t, failures(t, pool, "email:"+u.Email))
	require.Zero(t, failures(t, pool, "ip:192.0.2.50"))

	a := actor.Actor{Kind: actor.KindUser, ID: u.ID, Label: u.Email, OrgID: u.OrgID, Role: u.Role, IP: "192.0.2.50"}
	require.ErrorIs(t, s.ChangePassword(ctx, a, testPassword, "another-long-password", ""), ErrBusy)
	_, err = s.Create(ctx, a, Input{Email: "new@burst.example", Role: string(actor.RoleViewer), Password: "long-enough-1"})
	require.ErrorIs(t, err, ErrBusy, "creating a user hashes too")

	release()
	p, err := s.Authenticate(ctx, u.Email, testPassword, "192.0.2.50")
	require.NoError(t, err)
	require.Equal(t, u.ID, p.ID)
	require.Zero(t, failures(t, pool, "ip:192.0.2.50"), "a success gives its reservation back")
}

// TestChangePasswordThrottled: guesses at the current password count with
// the login's failures; past the limit even the right one is refused.
func TestChangePasswordThrottled(t *testing.T) {
	t.Parallel()
	s, _, u := loginFixture(t, 1024, Limits{PerEmail: 3})
	ctx := context.Background()
	a := actor.Actor{Kind: actor.KindUser, ID: u.ID, Label: u.Email, OrgID: u.OrgID, Role: u.Role, IP: "192.0.2.60"}
	for i := range 3 {
		err := s.ChangePassword(ctx, a, fmt.Sprintf("guess-%d-password", i), "another-long-password", "")
		require.ErrorContains(t, err, "is not your current password", "guess %d", i+1)
	}
	runs := s.HashRuns()
	err := s.ChangePassword(ctx, a, testPassword, "another-long-password", "")
	var te *ThrottledError
	require.ErrorAs(t, err, &te)
	require.Equal(t, runs, s.HashRuns(), "refused before hashing")
	_, err = s.Authenticate(ctx, u.Email, testPassword, "192.0.2.61")
	require.ErrorAs(t, err, &te, "the sign-in form shares the lock")
}

func TestThrottledMessageInWords(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		15 * time.Minute: "15 minutes", 14*time.Minute + 2*time.Second: "15 minutes", time.Minute: "1 minute",
		42 * time.Second: "42 seconds", 300 * time.Millisecond: "1 second",
	} {
		require.Equal(t, "too many failed logins; try again in "+want, (&ThrottledError{RetryAfter: d}).Error())
	}
}
