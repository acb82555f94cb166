// Command seed fills a migrated database with the identify benchmark's
// fleet (.ci/bench-identify.sh), through the test kits: n devices that
// identified before (as after a factory reset: the reported hex serial,
// GenieACS id and data model are already known, first contact a day ago),
// 40% pending, 30% owned by the organization, 30% owned and assigned to a
// subscriber with a subscription (PPPoE username, no password); then
// ANALYZE. Device i's serial is 48575443 and i in 8 upper-case hex digits
// (its label HWTC…), i from 1 to n. With -genieacs, it instead gives the
// organization every device GenieACS (the simulator) has registered, as
// identify would have recorded them (.ci/bench-deploy.sh). For benchmarks
// only.
//
//	DATABASE_URL=… go run ./internal/cpe/cpetest/cmd/seed -org acme -devices 100000
//	DATABASE_URL=… go run ./internal/cpe/cpetest/cmd/seed -org acme -genieacs http://127.0.0.1:7557
package main

import (
	"context"
	"flag"
	"fmt"
	neturl "net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/subscriber/subscribertest"
)

func main() {
	slug := flag.String("org", "acme", "the organization (created before) that owns 60% of the devices")
	n := flag.Int("devices", 100000, "how many devices")
	nbi := flag.String("genieacs", "", "the NBI whose registered devices the organization gets")
	flag.Parse()
	run := func() error { return seed(context.Background(), os.Getenv("DATABASE_URL"), *slug, *n) }
	if *nbi != "" {
		run = func() error { return fromGenieACS(context.Background(), os.Getenv("DATABASE_URL"), *slug, *nbi) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func seed(ctx context.Context, url, slug string, n int) error {
	if url == "" {
		return fmt.Errorf("DATABASE_URL is not set")
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	o, err := org.BySlug(ctx, pool, slug)
	if err != nil {
		return fmt.Errorf("organization %q: %w", slug, err)
	}
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		subs := make([]subscribertest.Subscriber, n*3/10)
		for i := range subs {
			u := fmt.Sprintf("sub%d", i+1)
			subs[i] = subscribertest.Subscriber{OrgID: o.ID, Username: u, PPPoEUsername: u}
		}
		subIDs, err := subscribertest.InsertMany(ctx, tx, nil, subs)
		if err != nil {
			return err
		}
		firstContact := time.Now().Add(-24 * time.Hour)
		devices := make([]cpetest.Device, n)
		for i := 1; i <= n; i++ {
			serial := fmt.Sprintf("48575443%08X", i)
			d := cpetest.Device{Serial: serial, OUI: "00259E", ProductClass: "HG8245H", Manufacturer: "Huawei Technologies Co., Ltd",
				GenieACSID: "00259E-HG8245H-" + serial, DataModel: "TR-098", FirstContactAt: &firstContact}
			if i%10 >= 4 {
				d.OrgID = &o.ID
			}
			if k := i * 3 / 10; i%10 >= 7 && k < len(subIDs) { // subscriber sub(k+1)
				d.SubscriberID = &subIDs[k]
			}
			devices[i-1] = d
		}
		_, err = cpetest.InsertMany(ctx, tx, devices)
		return err
	})
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `ANALYZE`)
	return err
}

// fromGenieACS gives the organization every device registered in the NBI.
func fromGenieACS(ctx context.Context, url, slug, nbi string) error {
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	o, err := org.BySlug(ctx, pool, slug)
	if err != nil {
		return fmt.Errorf("organization %q: %w", slug, err)
	}
	u, err := neturl.Parse(nbi)
	if err != nil {
		return err
	}
	acs, err := genieacs.New(genieacs.Config{NBIURL: u})
	if err != nil {
		return err
	}
	var devices []cpetest.Device
	now := time.Now()
	err = acs.EachDevice(ctx, nil, []string{"_deviceId", "InternetGatewayDevice.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.SoftwareVersion"}, 1000,
		func(d *genieacs.Device) error {
			sw := d.String("InternetGatewayDevice.DeviceInfo.SoftwareVersion") + d.String("Device.DeviceInfo.SoftwareVersion")
			devices = append(devices, cpetest.Device{OrgID: &o.ID, Serial: d.Identity.SerialNumber, OUI: d.Identity.OUI,
				ProductClass: d.Identity.ProductClass, Manufacturer: d.Identity.Manufacturer, GenieACSID: d.ID,
				DataModel: cpe.DataModel(d.Root()), SoftwareVersion: sw, FirstContactAt: &now, LastInformAt: &now})
			return nil
		})
	if err != nil {
		return err
	}
	if _, err := cpetest.InsertMany(ctx, pool, devices); err != nil {
		return err
	}
	fmt.Printf("%d devices of GenieACS given to %s\n", len(devices), slug)
	_, err = pool.Exec(ctx, `ANALYZE`)
	return err
}
