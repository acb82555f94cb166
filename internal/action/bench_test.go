package action_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// BenchmarkBulkReboot measures a bulk reboot of 400 simulated devices with
// the rate limit out of the way (4 in flight): devices/s through record,
// send with a connection request, and progress. The floor is as many
// reboots (of other devices of the same simulator) sent straight to the simulator's NBI, 4 in flight, with no
// database: "ratio" is ours over that.
func BenchmarkBulkReboot(b *testing.B) {
	const n = 400
	bd := setup(b, n)
	ctx := context.Background()
	a := bd.as(b, actor.RoleAdmin)
	bd.svc.BulkRate, bd.svc.BulkParallel = 1e6, 4
	for i := 0; i < n/3; i++ {
		bd.owned(b, "HG8245H", i)
	}
	gids := bd.sim.DeviceIDs()

	floor := func() float64 {
		start := time.Now()
		ch := make(chan string)
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for gid := range ch {
					if _, err := bd.client.CreateTask(ctx, gid, genieacs.Reboot(), genieacs.TaskOptions{ConnectionRequest: true}); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		sent := 0
		for _, gid := range gids {
			if sent == n/3 {
				break
			}
			if strings.Contains(gid, "-F660-") { // not the devices the bulk reboots
				ch <- gid
				sent++
			}
		}
		close(ch)
		wg.Wait()
		return float64(sent) / time.Since(start).Seconds()
	}()

	b.ResetTimer()
	var rate float64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		bk, err := bd.svc.StartBulk(ctx, a, action.BulkInput{Action: action.KindReboot, Filter: &action.BulkFilter{Model: "HG8245H"}})
		if err != nil {
			b.Fatal(err)
		}
		require.Eventually(b, func() bool {
			bk, err = bd.svc.GetBulk(ctx, a, bk.ID)
			return err != nil || bk.Status != "running"
		}, 5*time.Minute, 5*time.Millisecond, "the bulk reboot finishes")
		if err != nil {
			b.Fatal(err)
		}
		rate = float64(bk.Total) / time.Since(start).Seconds()
	}
	b.ReportMetric(rate, "devices/s")
	b.ReportMetric(floor, "floor-devices/s")
	b.ReportMetric(rate/floor, "ratio")
}
