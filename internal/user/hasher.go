package user

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
)

// ErrBusy says every password-hashing slot stayed taken for the whole
// wait: the request is refused without hashing, so a burst of logins
// cannot take the process's memory (each argon2id run holds its memory
// cost, 64 MiB in production, until it ends).
var ErrBusy = errors.New("too many sign-ins at once; try again in a moment")

// hasher runs argon2id under a process-wide bound on concurrent runs.
type hasher struct {
	params *argon2id.Params
	slots  chan struct{}
	wait   time.Duration
	runs   atomic.Int64 // argon2id runs started (hash or compare)
}

func newHasher(p *argon2id.Params, slots int, wait time.Duration) *hasher {
	return &hasher{params: p, slots: make(chan struct{}, slots), wait: wait}
}

// acquire takes a slot, waiting at most h.wait; release gives it back.
func (h *hasher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			return nil, ErrBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	h.runs.Add(1)
	return func() {
		// argon2id's memory (64 MiB in production) is garbage the moment a
		// run returns, but the pacer would let the heap grow to twice its
		// live size before collecting it: under a burst that is several
		// runs' worth of RSS. Collecting before the slot is free keeps the
		// process near its base plus the runs in flight, at a few
		// milliseconds per sign-in.
		runtime.GC()
		<-h.slots
	}, nil
}

// compare checks password against an encoded hash within a slot.
func (h *hasher) compare(ctx context.Context, password, hash string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return argon2id.ComparePasswordAndHash(password, hash)
}

// create hashes password within a slot.
func (h *hasher) create(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(password, h.params)
}

// defaultHashSlots bounds concurrent argon2id runs to the cores that can
// run them: more would only queue inside the scheduler while each holds
// its memory.
func defaultHashSlots() int { return max(2, runtime.GOMAXPROCS(0)) }

// unverified reports whether a hashing error means the password was never
// checked (no slot, or the request ended first): the attempt then gives
// its reserved failure back instead of counting as a wrong password.
func unverified(err error) bool {
	return errors.Is(err, ErrBusy) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
