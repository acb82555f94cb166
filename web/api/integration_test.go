package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/provision"
	"github.com/fyberpay/cpe/provisions"
	"github.com/fyberpay/cpe/web/webtest"
)

// report is GET /cpe/integration as key, decoded.
func report(t *testing.T, b *webtest.Bundle, key string) (integration.Report, string) {
	t.Helper()
	r := b.API(t, http.MethodGet, "/cpe/integration", key, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	var rep integration.Report
	require.NoError(t, json.Unmarshal([]byte(r.Raw), &rep))
	return rep, r.Raw
}

func checkOf(t *testing.T, checks []integration.Check, id string) integration.Check {
	t.Helper()
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", id, checks)
	return integration.Check{}
}

// waitCheck fetches the report until check id has status want (identify's
// tally is written behind, within a tenth of a second).
func waitCheck(t *testing.T, b *webtest.Bundle, id, want string) integration.Report {
	t.Helper()
	var rep integration.Report
	ok := webtest.Wait(10*time.Second, func() bool {
		rep, _ = report(t, b, b.KeyA)
		return checkOf(t, rep.Checks, id).Status == want
	})
	require.True(t, ok, "check %s never became %s: %+v", id, want, checkOf(t, rep.Checks, id))
	return rep
}

func identifyBody(serial, gid string) string {
	return `{"serial":"` + serial + `","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei","deviceId":"` + gid + `","root":"InternetGatewayDevice"}`
}

// The checks against a live simulator, from what a fresh installation
// lacks to all green, then a wrong key from GenieACS's side: each check
// says what it found and what to fix, and nothing secret or a serial is in
// the answer.
func TestIntegrationChecks(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 2)
	ctx := context.Background()

	rep, _ := report(t, b, b.KeyA)
	nbi := checkOf(t, rep.Checks, "nbi")
	require.Equal(t, integration.StatusOK, nbi.Status, nbi.Found)
	require.Equal(t, acssim.GenieACSVersion, rep.NBI.Version)
	require.Equal(t, b.Sim.NBIURL, rep.NBI.URL)
	require.Contains(t, nbi.Found, acssim.GenieACSVersion)
	require.Equal(t, integration.StatusOK, checkOf(t, rep.Checks, "breaker").Status)
	// The harness's simulator runs without the bootstrap preset.
	provs := checkOf(t, rep.Checks, "provisions")
	require.Equal(t, integration.StatusFail, provs.Status)
	require.Equal(t, "preset "+provisions.Bootstrap+" is missing.", provs.Found)
	require.Contains(t, provs.Fix, "Run the GenieACS bootstrap")
	require.Equal(t, integration.StatusOK, checkOf(t, rep.Checks, "speedtest").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, rep.Checks, "key").Status, "identify takes its own key")
	require.Equal(t, integration.StatusWarn, checkOf(t, rep.Checks, "identify").Status, "no identify call yet")
	require.Equal(t, integration.StatusFail, checkOf(t, rep.Checks, "sync").Status)
	require.Equal(t, integration.StatusFail, checkOf(t, rep.Checks, "faultpoll").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, rep.Checks, "unidentified").Status)
	require.False(t, rep.OK)
	require.Len(t, rep.Identify.PerMinute, 60)
	require.Zero(t, b.Count(t, `SELECT count(*) FROM cpe_devices`), "the key round trip stores no device")

	// What the page says to do, done.
	_, err := provision.Bootstrap(ctx, b.ACS)
	require.NoError(t, err)
	_, err = b.Sync.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	b.SeedFaults(t) // one fault poll
	gid := "00259E-HG8245H-HWTC0000AAAA"
	idr := b.Identify(t, webtest.InternalKey, identifyBody("HWTC0000AAAA", gid))
	require.Equal(t, http.StatusOK, idr.Status, idr.Raw)
	rep = waitCheck(t, b, "identify", integration.StatusOK)
	for _, c := range rep.Checks {
		require.Equal(t, integration.StatusOK, c.Status, "%s: %s", c.ID, c.Found)
	}
	require.True(t, rep.OK)
	require.Len(t, rep.Items, 7, "3 provisions, 3 presets, the speed-test file")
	require.EqualValues(t, 1, rep.Identify.AnsweredLastHour)

	// GenieACS's ext script sends another key: refused, and the check
	// turns red until identify accepts a call again.
	require.Equal(t, http.StatusUnauthorized, b.Identify(t, "a-wrong-key-of-some-length-000000", identifyBody("HWTC0000BBBB", gid)).Status)
	rep = waitCheck(t, b, "key", integration.StatusFail)
	key := checkOf(t, rep.Checks, "key")
	require.Contains(t, key.Found, "refused 1 call for a wrong key")
	require.Contains(t, key.Found, "from 127.0.0.1", "where the refused call came from")
	require.Equal(t, "127.0.0.1", rep.Identify.LastWrongKeyFrom)
	require.Contains(t, key.Fix, "FYBERPAY_INTERNAL_KEY")
	require.EqualValues(t, 1, rep.Identify.WrongKeyLastHour)
	idr = b.Identify(t, webtest.InternalKey, identifyBody("HWTC0000AAAA", gid))
	require.Equal(t, http.StatusOK, idr.Status, idr.Raw)
	waitCheck(t, b, "key", integration.StatusWarn)

	// A device whose bootstrap GenieACS faulted (identify refused its key)
	// and that FyberPay never identified: listed, its serial masked.
	other := b.Sim.DeviceIDs()[1]
	now := genieacs.Time(time.Now())
	require.NoError(t, b.Sim.PutFaultDocument(`{"_id":"`+other+`:`+provisions.Bootstrap+`","device":"`+other+`","channel":"`+provisions.Bootstrap+
		`","timestamp":"`+now+`","code":"ext.Error","message":"FyberPay identify answered 401: missing or wrong X-FyberPay-Internal-Key","retries":3,"provisions":"[]"}`))
	rep, raw := report(t, b, b.KeyA)
	un := checkOf(t, rep.Checks, "unidentified")
	require.Equal(t, integration.StatusFail, un.Status)
	require.Contains(t, un.Found, "1 device contacted GenieACS but never reached identify")
	require.Len(t, rep.Unidentified, 1)
	require.Equal(t, integration.MaskDeviceID(other), rep.Unidentified[0].Device)
	require.Contains(t, rep.Unidentified[0].Device, "••••")
	require.Len(t, rep.Unidentified[0].Faults, 1)
	require.Equal(t, "ext.Error", rep.Unidentified[0].Faults[0].Code)
	require.NotNil(t, rep.Unidentified[0].Registered)
	serial := other[strings.LastIndex(other, "-")+1:]
	require.NotContains(t, raw, serial, "no serial in the report")

	// A device the sync found in GenieACS minutes ago that never reached
	// identify, without any fault (the harness's GenieACS has no bootstrap
	// preset): listed too, newest first after the faulted one.
	first := b.Sim.DeviceIDs()[0]
	_, err = b.Pool.Exec(ctx, `UPDATE cpe_devices SET created_at = now() - interval '3 minutes' WHERE genieacs_id = $1`, first)
	require.NoError(t, err)
	rep, _ = report(t, b, b.KeyA)
	require.Contains(t, checkOf(t, rep.Checks, "unidentified").Found, "2 devices contacted GenieACS")
	require.Len(t, rep.Unidentified, 2)
	require.Equal(t, integration.MaskDeviceID(first), rep.Unidentified[1].Device)
	require.Empty(t, rep.Unidentified[1].Faults)
	require.NotNil(t, rep.Unidentified[1].LastInform)
	require.NotContains(t, raw, webtest.InternalKey)
	require.NotContains(t, b.Logs.String(), webtest.InternalKey)

	// Installation-wide: the operator organization's owners and admins.
	for _, k := range []string{b.KeyViewerA, b.KeyB} {
		r := b.API(t, http.MethodGet, "/cpe/integration", k, "")
		require.Equal(t, http.StatusForbidden, r.Status, r.Raw)
	}
	require.Equal(t, http.StatusUnauthorized, b.API(t, http.MethodGet, "/cpe/integration", "", "").Status)
}

// Without GenieACS the NBI check says what to set; what needs GenieACS is
// not checked.
func TestIntegrationWithoutGenieACS(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	rep, _ := report(t, b, b.KeyA)
	nbi := checkOf(t, rep.Checks, "nbi")
	require.Equal(t, integration.StatusFail, nbi.Status)
	require.Contains(t, nbi.Found, "GENIEACS_NBI_URL is not set")
	require.Contains(t, nbi.Fix, "GENIEACS_INTERNAL_KEY")
	for _, id := range []string{"breaker", "provisions", "speedtest", "unidentified"} {
		require.Equal(t, integration.StatusSkipped, checkOf(t, rep.Checks, id).Status, id)
	}
	require.False(t, rep.OK)
}

// The per-device checklist: what the operator and a tenant see of their
// devices, a device only GenieACS knows, and others' devices not found.
func TestIntegrationDeviceChecklist(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 2)
	checklist := func(key, ref string) (integration.Checklist, webtest.APIResp) {
		t.Helper()
		r := b.API(t, http.MethodGet, "/cpe/integration/device?device="+url.QueryEscape(ref), key, "")
		var cl integration.Checklist
		if r.Status == http.StatusOK {
			require.NoError(t, json.Unmarshal([]byte(r.Raw), &cl))
		}
		return cl, r
	}
	id, gid := b.QuietSimDevice(t, b.OrgA, acssim.ProfileHuaweiHG8245H)
	cl, r := checklist(b.KeyA, id.String())
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, id, *cl.DeviceID)
	require.True(t, cl.Owned)
	require.Equal(t, integration.MaskDeviceID(gid), cl.GenieACSDevice)
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "identified").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "inform").Status, checkOf(t, cl.Checks, "inform").Found)
	interval := checkOf(t, cl.Checks, "interval")
	require.Equal(t, integration.StatusWarn, interval.Status, "GenieACS knows only what it fetched: %s", interval.Found)
	require.Equal(t, "GenieACS has not read the device's PeriodicInformInterval.", interval.Found)
	require.Equal(t, integration.StatusWarn, checkOf(t, cl.Checks, "subscriber").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "tasks").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "faults").Status)
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "wake").Status)
	require.Equal(t, integration.StatusWarn, checkOf(t, cl.Checks, "firmware").Status)
	require.False(t, cl.OK)

	// Read from the device: periodic informs are off on a quiet device.
	rr := b.Post(t, "/cpe/devices/"+id.String()+"/refresh", b.KeyA, `{"path":"InternetGatewayDevice.ManagementServer"}`)
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, rr.Status, rr.Raw)
	b.WaitTask(t, b.KeyA, rr.Body["id"].(string), "done")
	cl, _ = checklist(b.KeyA, id.String())
	interval = checkOf(t, cl.Checks, "interval")
	require.Equal(t, integration.StatusFail, interval.Status, interval.Found)
	require.Equal(t, "Periodic informs are disabled on the device (PeriodicInformEnable is false).", interval.Found)

	// By serial (as the search box takes it), the same device.
	serial := gid[strings.LastIndex(gid, "-")+1:]
	cl, r = checklist(b.KeyA, serial)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, id, *cl.DeviceID)
	require.NotContains(t, r.Raw, serial, "the checklist masks the serial")

	// The device goes away: a reboot's connection request fails, and the
	// checklist says so; the reboot waits in GenieACS.
	require.NoError(t, b.Sim.SetOnline(gid, false))
	rr = b.Post(t, "/cpe/devices/"+id.String()+"/reboot", b.KeyA, "")
	require.Equal(t, http.StatusAccepted, rr.Status, rr.Raw)
	require.True(t, webtest.Wait(15*time.Second, func() bool {
		cl, _ = checklist(b.KeyA, id.String())
		return checkOf(t, cl.Checks, "wake").Status == integration.StatusFail
	}), "%+v", checkOf(t, cl.Checks, "wake"))
	require.Contains(t, checkOf(t, cl.Checks, "wake").Found, "failed")
	require.Equal(t, integration.StatusWarn, checkOf(t, cl.Checks, "tasks").Status)
	require.Len(t, cl.Tasks, 1)
	require.Equal(t, "reboot", cl.Tasks[0].Name)

	// The spec's "try a connection request": refused while the device is
	// away, answered once it is back (the reboot waiting in GenieACS runs
	// in that session); each recorded for the checklist and audited.
	w := b.Post(t, "/cpe/devices/"+id.String()+"/wake", b.KeyA, "")
	require.Equal(t, http.StatusOK, w.Status, w.Raw)
	require.Equal(t, false, w.Body["reached"])
	require.Contains(t, w.Body["message"], "GenieACS could not reach the device")
	require.NoError(t, b.Sim.SetOnline(gid, true))
	w = b.Post(t, "/cpe/devices/"+id.String()+"/wake", b.KeyA, "")
	require.Equal(t, http.StatusOK, w.Status, w.Raw)
	require.Equal(t, true, w.Body["reached"], w.Raw)
	cl, _ = checklist(b.KeyA, id.String())
	require.Equal(t, integration.StatusOK, checkOf(t, cl.Checks, "wake").Status, checkOf(t, cl.Checks, "wake").Found)
	require.Equal(t, 2, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.wake' AND target_id = $1`, id.String()))
	require.Equal(t, http.StatusForbidden, b.Post(t, "/cpe/devices/"+id.String()+"/wake", b.KeyViewerA, "").Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, "/cpe/devices/"+id.String()+"/wake", b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.Post(t, "/cpe/devices/not-a-uuid/wake", b.KeyA, "").Status)
	inventoryOnly := b.Device(t, "HWTC0000W0K3", false)
	webtest.RequireInvalid(t, b.Post(t, "/cpe/devices/"+inventoryOnly.String()+"/wake", b.KeyA, ""), "device",
		"this device has not contacted GenieACS yet; actions are possible after its first inform")

	// An image for its model in the library, and in GenieACS; then gone
	// from GenieACS.
	up := uploadJSON(t, b, b.KeyA, "checklist.bin", image(2048))
	require.Equal(t, http.StatusCreated, up.Status, up.Raw)
	cl, _ = checklist(b.KeyA, id.String())
	fw := checkOf(t, cl.Checks, "firmware")
	require.Equal(t, integration.StatusOK, fw.Status, fw.Found)
	require.Equal(t, "The library's image for HG8245H is in GenieACS too.", fw.Found)
	require.NoError(t, b.ACS.DeleteFile(context.Background(), up.Body["storedName"].(string)))
	cl, _ = checklist(b.KeyA, id.String())
	fw = checkOf(t, cl.Checks, "firmware")
	require.Equal(t, integration.StatusFail, fw.Status, fw.Found)
	require.Equal(t, "Missing from GenieACS: 1 of the library's 1 image for HG8245H.", fw.Found)

	// A device only GenieACS knows: the operator sees it never reached
	// identify; a tenant does not find it.
	other := ""
	for _, d := range b.Sim.DeviceIDs() {
		if d != gid {
			other = d
			break
		}
	}
	cl, r = checklist(b.KeyA, other)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Nil(t, cl.DeviceID)
	require.Equal(t, integration.StatusFail, checkOf(t, cl.Checks, "identified").Status)
	require.Equal(t, integration.StatusSkipped, checkOf(t, cl.Checks, "subscriber").Status)
	_, r = checklist(b.KeyB, other)
	require.Equal(t, http.StatusNotFound, r.Status, r.Raw)

	// A tenant: its own device yes, the operator's no (404, not 403).
	bid, _ := b.QuietSimDevice(t, b.OrgB, acssim.ProfileZTEF660)
	cl, r = checklist(b.KeyB, bid.String())
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, bid, *cl.DeviceID)
	require.True(t, cl.Owned)
	cl, r = checklist(b.KeyA, bid.String())
	require.Equal(t, http.StatusOK, r.Status, "the operator sees a tenant's device: %s", r.Raw)
	require.False(t, cl.Owned)
	require.False(t, cl.Pending)
	_, r = checklist(b.KeyB, id.String())
	require.Equal(t, http.StatusNotFound, r.Status, r.Raw)
	_, r = checklist(b.KeyB, serial)
	require.Equal(t, http.StatusNotFound, r.Status, r.Raw)

	// Bad input.
	_, r = checklist(b.KeyA, "")
	webtest.RequireInvalid(t, r, "device", "give a device's id, serial or GenieACS id (at most 256 characters)")
	_, r = checklist(b.KeyA, strings.Repeat("x", 257))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	_, r = checklist(b.KeyA, "no-such-device")
	require.Equal(t, http.StatusNotFound, r.Status, r.Raw)
}
