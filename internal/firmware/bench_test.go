package firmware_test

import (
	"context"
	"io"
	"mime/multipart"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// BenchmarkUploadMultipart streams a 64 MiB image from a multipart body
// (through a pipe, as a request arrives) into the simulator's file server.
func BenchmarkUploadMultipart(b *testing.B) {
	ctx := context.Background()
	pool := dbtest.NewDB(b)
	sim, acs := testfactory.GenieACS(b, acssim.Options{Devices: 1, SessionDelay: time.Millisecond}, testfactory.GenieACSOpts{})
	_ = sim
	o := testfactory.Org(ctx, b, pool, nil)
	a := actor.System(o.ID)
	a.Role, a.Label = actor.RoleAdmin, "bench"
	s := firmware.NewService(pool, acs, nil)
	chunk := make([]byte, 1<<20)
	const mib = 64
	b.SetBytes(mib << 20)
	for i := 0; b.Loop(); i++ {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			_ = mw.WriteField("oui", "00259E")
			_ = mw.WriteField("productClass", "HG8245H")
			_ = mw.WriteField("version", "1")
			fw, _ := mw.CreateFormFile("file", "bench.bin")
			for range mib {
				_, _ = fw.Write(chunk)
			}
			_ = mw.Close()
			_ = pw.Close()
		}()
		meta, part, err := firmware.ReadMultipart(multipart.NewReader(pr, mw.Boundary()))
		if err != nil {
			b.Fatal(err)
		}
		img, err := s.Upload(ctx, a, meta, part, -1, 1<<30)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Delete(ctx, a, img.ID); err != nil {
			b.Fatal(err)
		}
	}
}
