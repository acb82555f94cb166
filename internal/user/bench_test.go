package user

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

// BenchmarkPasswordHash is the CPU and memory cost of one login check with
// the production argon2id parameters (64 MiB, 2 passes, 1 lane): it bounds
// logins per second per core, which is why failures are throttled before
// hashing.
func BenchmarkPasswordHash(b *testing.B) {
	p := NewService(nil, 64*1024, Limits{}).params
	h, err := argon2id.CreateHash("correct-horse-battery", p)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := argon2id.ComparePasswordAndHash("correct-horse-battery", h); err != nil || !ok {
			b.Fatal("mismatch")
		}
	}
}
