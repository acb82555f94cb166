package genieacs_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// syncProjection is what a device sync reads (about 15 parameters).
var syncProjection = []string{"_id", "_deviceId", "_lastInform", "_tags",
	"InternetGatewayDevice.DeviceInfo.SoftwareVersion", "InternetGatewayDevice.DeviceInfo.UpTime",
	"InternetGatewayDevice.DeviceInfo.HardwareVersion", "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
	"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations",
	"Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.UpTime", "Device.DeviceInfo.HardwareVersion",
	"Device.ManagementServer.PeriodicInformInterval", "Device.WiFi.SSID.1.SSID", "Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries"}

// BenchmarkEachDevice100k streams all of a 100,000-device fleet through the
// client's keyset paging and streaming decoder (pages of 1000, a sync-sized
// projection), from the simulator over loopback HTTP. Compare docs/s with
// the limits' "decode struct" figure.
func BenchmarkEachDevice100k(b *testing.B) {
	sim := acssim.NewTestServer(b, acssim.Options{Devices: 100_000, Seed: 5})
	u, _ := url.Parse(sim.NBIURL)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	total := 0
	for range b.N {
		n := 0
		if err := c.EachDevice(ctx, nil, syncProjection, 1000, func(d *genieacs.Device) error {
			n++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if n != 100_000 {
			b.Fatalf("streamed %d devices", n)
		}
		total += n
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "devices/s")
}
