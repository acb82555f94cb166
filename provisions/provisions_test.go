package provisions_test

// FyberPay's provisions run here in the GenieACS simulator's runtime: the
// same sandbox, declaration engine, presets and Node ext process that
// `make run` and every other test use, as strict as GenieACS 1.2.16.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/provisions"
)

// identifyStub is FyberPay's /internal/cpe/identify.
type identifyStub struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []map[string]any
	keys   []string
	status int
	answer string
	delay  time.Duration
}

func newIdentifyStub(t *testing.T) *identifyStub {
	st := &identifyStub{status: http.StatusOK, answer: `{"status":"pending","tags":[],"periodicInformInterval":300}`}
	st.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		st.mu.Lock()
		st.calls = append(st.calls, body)
		st.keys = append(st.keys, r.Header.Get("X-FyberPay-Internal-Key"))
		status, answer, delay := st.status, st.answer, st.delay
		st.mu.Unlock()
		if r.URL.Path != "/internal/cpe/identify" {
			status = http.StatusNotFound
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(st.srv.Close)
	return st
}

func (st *identifyStub) set(status int, answer string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.status, st.answer = status, answer
}

func (st *identifyStub) count() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.calls)
}

// env is a GenieACS configured by FyberPay, talking to an identify stub.
type env struct {
	t     *testing.T
	ctx   context.Context
	sim   *acssim.TestServer
	acs   *genieacs.Client
	ident *identifyStub
}

func newEnv(t *testing.T, extEnv ...string) *env {
	t.Helper()
	return newEnvOpts(t, acssim.Options{ExtEnv: extEnv})
}

func newEnvOpts(t *testing.T, o acssim.Options) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), ident: newIdentifyStub(t)}
	o.TimeCompression, o.SessionDelay, o.OnlineThreshold = 1000, time.Millisecond, 200*time.Millisecond
	e.sim, e.acs = testfactory.GenieACS(t, o, testfactory.GenieACSOpts{AppURL: e.ident.srv.URL, InternalKey: "k3y"})
	return e
}

// device adds a device of a profile that has not informed yet.
func (e *env) device(profile, serial string) string {
	e.t.Helper()
	id, err := e.sim.AddDevice(profile, serial)
	require.NoError(e.t, err)
	return id
}

func (e *env) inform(id string, events ...string) {
	e.t.Helper()
	require.NoError(e.t, e.sim.Inform(e.ctx, id, events...))
}

// cpe is what the simulated CPE itself holds at a path (secrets included).
func (e *env) cpe(id, path string) any {
	e.t.Helper()
	v, ok := e.sim.Value(id, path)
	require.True(e.t, ok, "the CPE has %s", path)
	return v
}

// doc is GenieACS's device document.
func (e *env) doc(id string, projection ...string) *genieacs.Device {
	e.t.Helper()
	d, err := e.acs.GetDevice(e.ctx, id, projection)
	require.NoError(e.t, err)
	return d
}

func (e *env) faults(id string) []genieacs.Fault {
	e.t.Helper()
	fs, err := e.acs.Faults(e.ctx, map[string]any{"device": id})
	require.NoError(e.t, err)
	return fs
}

func sorted(tags []string) []string {
	out := append([]string(nil), tags...)
	sort.Strings(out)
	return out
}

// pppBase finds the PPP connection the simulated Huawei unit has (its
// WANConnectionDevice number varies from unit to unit).
func (e *env) pppBase(id string) string {
	e.t.Helper()
	for _, n := range []string{"1", "2", "4"} {
		base := "InternetGatewayDevice.WANDevice.1.WANConnectionDevice." + n + ".WANPPPConnection.1."
		if _, ok := e.sim.Value(id, base+"Username"); ok {
			return base
		}
	}
	e.t.Fatal("no PPP connection")
	return ""
}

const assigned = `{"deviceId":"x","status":"assigned","tags":["org:acme","sub:alice_w","plan:home-10"],
	"pppoe":{"username":"alice@isp","password":"s3cret-pppoe"},
	"wifi":[{"band":"2.4GHz","ssid":"Alice","password":"wifi-pass-24"},{"band":"5GHz","ssid":"Alice-5G","password":"wifi-pass-5g"}],
	"periodicInformInterval":600}`

func TestBootstrapConfiguresATR098Device(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ident.set(http.StatusOK, assigned)
	id := e.device(acssim.ProfileHuaweiHG8245H, "48575443A1B2C3D4")
	e.inform(id, "0 BOOTSTRAP,1 BOOT")

	require.Empty(t, e.faults(id), "the session ran through")
	require.Equal(t, 1, e.ident.count(), "one question per BOOTSTRAP: the ext script keeps the answer across GenieACS's preset passes")
	e.ident.mu.Lock()
	call, key := e.ident.calls[0], e.ident.keys[0]
	e.ident.mu.Unlock()
	require.Equal(t, "k3y", key)
	require.Equal(t, map[string]any{"serial": "48575443A1B2C3D4", "oui": "00259E", "productClass": "HG8245H",
		"manufacturer": "Huawei Technologies Co., Ltd", "deviceId": id, "root": "InternetGatewayDevice"}, call)

	d := e.doc(id, "_tags")
	require.Equal(t, []string{"org:acme", "plan:home-10", "sub:alice_w"}, sorted(d.Tags),
		"tags declared in GenieACS's encoded form (Tags.org0x3Aacme) are saved under their names")
	base := e.pppBase(id)
	require.Equal(t, "alice@isp", e.cpe(id, base+"Username"))
	require.Equal(t, "s3cret-pppoe", e.cpe(id, base+"Password"))
	require.Equal(t, true, e.cpe(id, base+"Enable"))
	const wl = "InternetGatewayDevice.LANDevice.1.WLANConfiguration."
	require.Equal(t, "Alice", e.cpe(id, wl+"1.SSID"))
	require.Equal(t, "wifi-pass-24", e.cpe(id, wl+"1.PreSharedKey.1.PreSharedKey"), "Huawei keeps the key in PreSharedKey.1.PreSharedKey")
	require.Equal(t, "", e.cpe(id, wl+"1.KeyPassphrase"), "and nothing goes to KeyPassphrase")
	require.Equal(t, "Alice-5G", e.cpe(id, wl+"5.SSID"))
	require.Equal(t, "wifi-pass-5g", e.cpe(id, wl+"5.PreSharedKey.1.PreSharedKey"))
	require.Equal(t, float64(600), e.cpe(id, "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"))

	// GenieACS's document holds what the provision read and wrote.
	d = e.doc(id, strings.TrimSuffix(base, "."))
	require.Equal(t, "alice@isp", d.String(base+"Username"))
	require.Equal(t, "Alice", e.doc(id, wl+"1.SSID").String(wl+"1.SSID"))
}

func TestBootstrapConfiguresZTEAndTR181Devices(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ident.set(http.StatusOK, assigned)
	zte := e.device(acssim.ProfileZTEF660, "")
	e.inform(zte, "0 BOOTSTRAP,1 BOOT")
	require.Empty(t, e.faults(zte))
	const wl = "InternetGatewayDevice.LANDevice.1.WLANConfiguration."
	require.Equal(t, "wifi-pass-24", e.cpe(zte, wl+"1.PreSharedKey.1.KeyPassphrase"), "ZTE keeps the key in PreSharedKey.1.KeyPassphrase")
	require.Equal(t, "alice@isp", e.cpe(zte, "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Username"))

	tp := e.device(acssim.ProfileTPLinkAX10, "")
	e.inform(tp, "0 BOOTSTRAP,1 BOOT")
	require.Empty(t, e.faults(tp))
	e.ident.mu.Lock()
	root := e.ident.calls[len(e.ident.calls)-1]["root"]
	e.ident.mu.Unlock()
	require.Equal(t, "Device", root)
	require.Equal(t, "alice@isp", e.cpe(tp, "Device.PPP.Interface.1.Username"))
	require.Equal(t, "Alice", e.cpe(tp, "Device.WiFi.SSID.1.SSID"))
	require.Equal(t, "wifi-pass-24", e.cpe(tp, "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"))
	require.Equal(t, "Alice-5G", e.cpe(tp, "Device.WiFi.SSID.3.SSID"), "TP-Link's 5 GHz SSID is SSID.3")
	require.Equal(t, "wifi-pass-5g", e.cpe(tp, "Device.WiFi.AccessPoint.3.Security.KeyPassphrase"))
	require.Equal(t, float64(600), e.cpe(tp, "Device.ManagementServer.PeriodicInformInterval"))
	require.Equal(t, []string{"org:acme", "plan:home-10", "sub:alice_w"}, sorted(e.doc(tp, "_tags").Tags))
}

func TestBootstrapReplacesManagedTagsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // two BOOTSTRAPs within a second: the second asks afresh
	id := e.device(acssim.ProfileZTEF660, "")
	e.inform(id, "0 BOOTSTRAP,1 BOOT") // pending: no tags
	for _, tag := range []string{"org:old-isp", "sub:bob", "keep-me"} {
		require.NoError(t, e.acs.AddTag(e.ctx, id, tag))
	}
	e.ident.set(http.StatusOK, `{"status":"claimed","tags":["org:acme"]}`)
	e.inform(id, "0 BOOTSTRAP,1 BOOT")
	require.Empty(t, e.faults(id))
	require.Equal(t, []string{"keep-me", "org:acme"}, sorted(e.doc(id, "_tags").Tags))
}

// TestFactoryResetThenReprovision: a reset CPE loses its configuration;
// GenieACS's document still shows the old values until something clears
// them. The bootstrap provision clears it, so every value is read from the
// device as it now is and written again.
func TestFactoryResetThenReprovision(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ident.set(http.StatusOK, assigned)
	id := e.device(acssim.ProfileHuaweiHG8245H, "")
	e.inform(id, "0 BOOTSTRAP,1 BOOT")
	base := e.pppBase(id)
	require.Equal(t, "alice@isp", e.cpe(id, base+"Username"))
	// The Wi-Fi changed in FyberPay seconds before the reset: the ext
	// script's answer from the first BOOTSTRAP must not be reused.
	e.ident.set(http.StatusOK, strings.Replace(assigned, `"ssid":"Alice"`, `"ssid":"Alice-Home"`, 1))

	res, err := e.acs.CreateTask(e.ctx, id, genieacs.FactoryReset(), genieacs.TaskOptions{ConnectionRequest: true})
	require.NoError(t, err)
	// A periodic inform can take the queued task before the connection
	// request reaches the CPE (at 1000x, the first one comes 30-600 ms after
	// the bootstrap); the CPE is then rebooting and GenieACS answers 202
	// "Device is offline". Either way the CPE was reset, which the wait
	// below proves.
	require.Contains(t, []genieacs.Outcome{genieacs.OutcomeDone, genieacs.OutcomeOffline}, res.Outcome, res.Reason)
	require.Eventually(t, func() bool {
		v, _ := e.sim.Value(id, base+"Username")
		return v == "alice@isp" && e.doc(id, "_lastBootstrap").LastBootstrap.After(e.doc(id, "_registered").Registered)
	}, 10*time.Second, 20*time.Millisecond, "the reset device came back configured")
	require.Empty(t, e.faults(id))
	require.Equal(t, "wifi-pass-24", e.cpe(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"))
	require.Equal(t, "Alice-Home", e.cpe(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"))
	require.Equal(t, 2, e.ident.count(), "one question per BOOTSTRAP session")
	require.Equal(t, float64(600), e.cpe(id, "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"))
	require.Equal(t, []string{"org:acme", "plan:home-10", "sub:alice_w"}, sorted(e.doc(id, "_tags").Tags))
}

func TestBootstrapFailuresFaultAndRetry(t *testing.T) {
	t.Parallel()
	t.Run("AnErrorAnswerIsRetriedAfterGenieACSsBackoff", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.ident.set(http.StatusInternalServerError, `{"error":{"message":"boom"}}`)
		id := e.device(acssim.ProfileHuaweiHG8245H, "")
		e.inform(id, "0 BOOTSTRAP,1 BOOT")
		fs := e.faults(id)
		require.Len(t, fs, 1)
		require.Equal(t, provisions.Bootstrap, fs[0].Channel)
		require.Equal(t, "ext.Error", fs[0].Code)
		require.Equal(t, "FyberPay identify answered 500: boom", fs[0].Message)
		calls := e.ident.count()

		e.ident.set(http.StatusOK, `{"status":"claimed","tags":["org:acme"]}`)
		require.Eventually(t, func() bool {
			e.inform(id, "2 PERIODIC")
			return len(e.faults(id)) == 0
		}, 10*time.Second, 50*time.Millisecond, "a later periodic inform retries the bootstrap provision")
		require.Greater(t, e.ident.count(), calls)
		require.Equal(t, []string{"org:acme"}, e.doc(id, "_tags").Tags)
	})
	t.Run("ASlowAnswerIsAnExtensionTimeout", func(t *testing.T) {
		t.Parallel()
		// GenieACS's EXT_TIMEOUT (3 s) is shorter than the ext script's own.
		e := newEnvOpts(t, acssim.Options{ExtTimeout: 3 * time.Second, ExtEnv: []string{"FYBERPAY_TIMEOUT_MS=5000"}})
		e.ident.mu.Lock()
		e.ident.delay = 4 * time.Second
		e.ident.mu.Unlock()
		id := e.device(acssim.ProfileZTEF660, "")
		e.inform(id, "0 BOOTSTRAP,1 BOOT")
		fs := e.faults(id)
		require.Len(t, fs, 1)
		require.Equal(t, "timeout", fs[0].Code)
		require.Equal(t, "Extension timed out", fs[0].Message)
	})
	t.Run("AWiFiKeyTheCPERefusesFaultsTheChannel", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.ident.set(http.StatusOK, `{"status":"claimed","tags":[],"wifi":[{"band":"2.4GHz","ssid":"Home","password":"short"}]}`)
		id := e.device(acssim.ProfileHuaweiHG8245H, "")
		e.inform(id, "0 BOOTSTRAP,1 BOOT")
		fs := e.faults(id)
		require.Len(t, fs, 1)
		require.Equal(t, "cwmp.9007", fs[0].Code)
		require.Equal(t, provisions.Bootstrap, fs[0].Channel)
	})
}

func TestHealthReadsAfreshEveryPeriodicInform(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.device(acssim.ProfileHuaweiHG8245H, "")
	// The device informs only when the test says: its own periodic
	// session, 300 device seconds (0.3 s here) after the bootstrap, would
	// read health before the check below on a busy machine. Unresponsive,
	// it starts no session by itself; the test's informs still run.
	require.NoError(t, e.sim.SetUnresponsive(id, true))
	e.inform(id, "0 BOOTSTRAP,1 BOOT")
	const up = "InternetGatewayDevice.DeviceInfo.UpTime"
	d := e.doc(id, up)
	_, fetched := d.Params[up]
	require.False(t, fetched, "no health value before a periodic inform")
	var stamps []time.Time
	for i := 0; i < 3; i++ {
		require.Eventually(t, func() bool { // the next session gets a later timestamp
			e.inform(id, "2 PERIODIC")
			p := e.doc(id, up).Params[up]
			return len(stamps) == 0 || p.Timestamp.After(stamps[len(stamps)-1])
		}, 5*time.Second, 5*time.Millisecond)
		stamps = append(stamps, e.doc(id, up).Params[up].Timestamp)
	}
	d = e.doc(id, "InternetGatewayDevice")
	for _, p := range []string{"InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed", "InternetGatewayDevice.DeviceInfo.X_HW_MemUsed",
		"InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations"} {
		require.NotNil(t, d.Params[p].Value, "%s read", p)
	}
	for p := range d.Params {
		require.False(t, strings.Contains(p, "X_ZTE-COM"), "another vendor's path is not in a Huawei's tree: %s", p)
	}
	require.Empty(t, e.faults(id))
}

// TestDiagnosticsResultsAreReadAfterTheRequest: a ping that finishes two
// seconds after it was requested. Its "Requested" state and old results
// were read moments before; the diagnostics provision must read them again
// all the same.
func TestDiagnosticsResultsAreReadAfterTheRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// 1000x compression: 2 s of device time is 2 ms here.
	id := e.device(acssim.ProfileTPLinkAX10, "")
	e.inform(id, "0 BOOTSTRAP,1 BOOT")
	const p = "Device.IP.Diagnostics.IPPing."
	res, err := e.acs.CreateTask(e.ctx, id, genieacs.SetParameterValues(
		genieacs.ParameterValue{Path: p + "Host", Value: "8.8.8.8", Type: "xsd:string"},
		genieacs.ParameterValue{Path: p + "NumberOfRepetitions", Value: 2, Type: "xsd:unsignedInt"},
		genieacs.ParameterValue{Path: p + "DiagnosticsState", Value: "Requested", Type: "xsd:string"}),
		genieacs.TaskOptions{ConnectionRequest: true})
	require.NoError(t, err)
	require.Equal(t, genieacs.OutcomeDone, res.Outcome)
	require.Eventually(t, func() bool {
		return e.doc(id, p+"DiagnosticsState").String(p+"DiagnosticsState") == "Complete"
	}, 10*time.Second, 10*time.Millisecond, "the 8 DIAGNOSTICS COMPLETE session read the results")
	d := e.doc(id, strings.TrimSuffix(p, "."))
	require.Equal(t, "2", d.String(p+"SuccessCount"))
	require.NotEqual(t, "0", d.String(p+"AverageResponseTime"))
}

func TestRenderedScriptsCompile(t *testing.T) {
	t.Parallel()
	for _, n := range provisions.Names() {
		s, err := provisions.Render(n)
		require.NoError(t, err)
		require.NotContains(t, s, "@fyberpay:", "markers are replaced")
	}
	require.Contains(t, string(provisions.ExtScript()), "exports.identifyDevice")
}
