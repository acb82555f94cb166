package acssim

import (
	"context"
	"testing"
)

// TestOpticalFates: most ONTs receive a healthy level, about one in
// twenty a weak one that stays weak, and about one in forty loses light
// inform by inform until it is critical.
func TestOpticalFates(t *testing.T) {
	t.Parallel()
	const n = 4000
	var good, weak, losing int
	for seed := uint64(1); seed <= n; seed++ {
		d := &device{seed: seed * 0x9e3779b97f4a7c15}
		rx := rxPower(d)
		switch {
		case hashOf(d.seed, 0x77)%losingEvery == 0:
			losing++
			if rx < -21.3 || rx > -20.7 {
				t.Fatalf("a losing ONT starts at -21 dBm, got %.2f", rx)
			}
			prev := rx
			for i := uint32(1); i <= 20; i++ {
				d.informs = i
				now := rxPower(d)
				if now > prev+0.6 {
					t.Fatalf("a losing ONT's level rose from %.2f to %.2f at inform %d", prev, now, i)
				}
				prev = now
			}
			if prev > -30 {
				t.Fatalf("after 20 informs a losing ONT is critical, got %.2f", prev)
			}
		case rx < -27:
			weak++
			if rx < -30 {
				t.Fatalf("a degraded ONT is weak, not critical: %.2f", rx)
			}
		case rx >= -27 && rx <= -8:
			good++
		default:
			t.Fatalf("out of range: %.2f", rx)
		}
	}
	if weak < n/40 || weak > n/10 {
		t.Fatalf("%d of %d weak; want about one in %d", weak, n, degradedEvery)
	}
	if losing < n/80 || losing > n/20 {
		t.Fatalf("%d of %d losing light; want about one in %d", losing, n, losingEvery)
	}
	t.Logf("%d good, %d weak, %d losing light", good, weak, losing)
}

// TestHostsComeAndGo: the Huawei's third host (a phone on 5 GHz) is not
// active at some informs and is at others, as a CPE's own value.
func TestHostsComeAndGo(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Profiles: map[string]int{ProfileHuaweiHG8245H: 1}, Seed: 5, TimeCompression: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	id, err := s.AddDevice(ProfileHuaweiHG8245H, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[any]int{}
	for i := 0; i < 12; i++ {
		if err := s.Inform(context.Background(), id, "2 PERIODIC"); err != nil {
			t.Fatal(err)
		}
		v, ok := s.Value(id, "InternetGatewayDevice.LANDevice.1.Hosts.Host.3.Active")
		if !ok {
			t.Fatal("no Host.3.Active")
		}
		seen[v]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("host 3 active over 12 informs: %v; want it to come and go", seen)
	}
	if v, _ := s.Value(id, "InternetGatewayDevice.LANDevice.1.Hosts.Host.1.Active"); v != true {
		t.Fatalf("host 1 stays: %v", v)
	}
}
