package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func scriptBody(script string) string {
	b, _ := json.Marshal(map[string]string{"script": script})
	return string(b)
}

const channelV1 = "declare('Device.WiFi.Radio.1.Channel', {value: 1}, {value: 6});"
const channelV2 = "declare('Device.WiFi.Radio.1.Channel', {value: 1}, {value: 11});"

func TestAPIProvisions(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	put := func(key, name, script string) webtest.APIResp {
		return b.API(t, http.MethodPut, "/cpe/provisions/"+name, key, scriptBody(script))
	}

	// Checked before GenieACS sees it: where the syntax error is.
	r := put(b.KeyA, "wifi-channel", "const a = 1;\nconst b = ;\n")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Contains(t, r.ErrFields()["script"], "line 2, column")
	_, ok := b.Sim.Provision("acme-wifi-channel")
	require.False(t, ok)

	r = put(b.KeyA, "wifi-channel", channelV1)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "acme-wifi-channel", r.Body["storedName"])
	require.Equal(t, 1.0, r.Body["version"])
	got, ok := b.Sim.Provision("acme-wifi-channel")
	require.True(t, ok)
	require.Equal(t, channelV1, got)

	r = put(b.KeyA, "wifi-channel", channelV2)
	require.Equal(t, 2.0, r.Body["version"])
	require.Len(t, r.Body["versions"], 2)
	r = b.API(t, http.MethodGet, "/cpe/provisions/wifi-channel?version=1", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, channelV1, r.Body["script"])

	r = b.API(t, http.MethodPost, "/cpe/provisions/wifi-channel/revert", b.KeyA, `{"version":1}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, 3.0, r.Body["version"])
	require.Equal(t, channelV1, r.Body["script"])
	require.Equal(t, "revert to version 1", r.Body["versions"].([]any)[0].(map[string]any)["note"])
	got, _ = b.Sim.Provision("acme-wifi-channel")
	require.Equal(t, channelV1, got)
	r = b.API(t, http.MethodPost, "/cpe/provisions/wifi-channel/revert", b.KeyA, `{"version":9}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "version")

	r = b.API(t, http.MethodGet, "/cpe/provisions", b.KeyViewerA, "")
	require.Len(t, r.Items(), 1)
	require.Empty(t, b.API(t, http.MethodGet, "/cpe/provisions", b.KeyB, "").Items(), "beta sees none of acme's")

	// Names.
	for _, name := range []string{"Bad", "a.b", "a%2Fb", strings.Repeat("a", 65), "x_y"} {
		r = put(b.KeyA, name, channelV1)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", name, r.Raw)
	}
	ctx := context.Background()
	testfactory.Org(ctx, t, b.Pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("acme-fibre")})
	r = put(b.KeyA, "fibre-x", channelV1)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "acme-fibre-x is in acme-fibre's namespace")
	require.Contains(t, r.ErrFields()["name"], "another organization's namespace")
	fp := testfactory.Org(ctx, t, b.Pool, &testfactory.OrgOpts{Slug: testfactory.Ptr("fyberpay")})
	keyFP := b.APIKey(t, fp, actor.RoleAdmin)
	r = put(keyFP, "bootstrap", "log('x');")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "fyberpay-bootstrap is FyberPay's own")
	sys, _ := b.Sim.Provision("fyberpay-bootstrap")
	require.NotEqual(t, "log('x');", sys)

	// Size, roles, other organizations.
	r = put(b.KeyA, "big", "//"+strings.Repeat("x", 64<<10))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status, r.Raw)
	require.Equal(t, http.StatusForbidden, put(b.KeyViewerA, "wifi-channel", channelV2).Status)
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodDelete, "/cpe/provisions/wifi-channel", b.KeyViewerA, "").Status)
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodPost, "/cpe/provisions/wifi-channel/revert", b.KeyViewerA, `{"version":1}`).Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/provisions/wifi-channel", b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodDelete, "/cpe/provisions/wifi-channel", b.KeyB, "").Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPost, "/cpe/provisions/wifi-channel/revert", b.KeyB, `{"version":1}`).Status)
	r = put(b.KeyB, "wifi-channel", channelV2)
	require.Equal(t, "beta-wifi-channel", r.Body["storedName"], "beta's own, beside acme's")
	got, _ = b.Sim.Provision("acme-wifi-channel")
	require.Equal(t, channelV1, got, "acme's untouched")

	require.Equal(t, http.StatusNoContent, b.API(t, http.MethodDelete, "/cpe/provisions/wifi-channel", b.KeyA, "").Status)
	_, ok = b.Sim.Provision("acme-wifi-channel")
	require.False(t, ok, "gone from GenieACS")
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/provisions/wifi-channel", b.KeyA, "").Status)
	require.Equal(t, 4, b.Count(t, `SELECT count(*) FROM audit_log WHERE action IN ('provision.save', 'provision.delete') AND org_id = $1`, b.OrgA.ID))
	require.Equal(t, 4, b.Count(t, `SELECT count(*) FROM outbox_events WHERE topic IN ('provision.saved', 'provision.deleted') AND org_id = $1`, b.OrgA.ID))
}

// The spec's example, saved and bound to periodic informs, sets the channel
// on the organization's TR-181 devices and on no other organization's;
// disabling the binding removes the preset and keeps the provision.
func TestAPIProvisionBinding(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	var acme, beta string
	for i, tag := range []string{"org:acme", "org:beta"} {
		gid, err := b.Sim.AddDevice(acssim.ProfileTPLinkAX10, fmt.Sprintf("AX10BIND%04d", i))
		require.NoError(t, err)
		require.NoError(t, b.Sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
		require.NoError(t, b.ACS.AddTag(ctx, gid, tag))
		if i == 0 {
			acme = gid
		} else {
			beta = gid
		}
	}
	const channel = "Device.WiFi.Radio.1.Channel"
	betaBefore, _ := b.Sim.Value(beta, channel)

	r := b.API(t, http.MethodPut, "/cpe/provisions/wifi-channel", b.KeyA, scriptBody(channelV1))
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, false, r.Body["binding"].(map[string]any)["enabled"])
	bind := func(key, body string) webtest.APIResp {
		return b.API(t, http.MethodPut, "/cpe/provisions/wifi-channel/binding", key, body)
	}
	require.Equal(t, http.StatusUnprocessableEntity, bind(b.KeyA, `{"events":["9 NOPE"],"enabled":true}`).Status)
	require.Equal(t, http.StatusUnprocessableEntity, bind(b.KeyA, `{"events":[],"enabled":true}`).Status)
	require.Equal(t, http.StatusForbidden, bind(b.KeyViewerA, `{"events":["2 PERIODIC"],"enabled":true}`).Status)
	require.Equal(t, http.StatusNotFound, bind(b.KeyB, `{"events":["2 PERIODIC"],"enabled":true}`).Status)
	r = bind(b.KeyA, `{"events":["2 PERIODIC"],"weight":5,"enabled":true}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, []any{"2 PERIODIC"}, r.Body["binding"].(map[string]any)["events"])
	preset, ok := b.Sim.Preset("acme-wifi-channel")
	require.True(t, ok)
	require.Contains(t, string(preset), `org:acme`)

	for _, gid := range []string{acme, beta} {
		require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"))
	}
	v, _ := b.Sim.Value(acme, channel)
	require.EqualValues(t, 6, v, "acme's device got the channel")
	v, _ = b.Sim.Value(beta, channel)
	require.Equal(t, betaBefore, v, "beta's device did not")

	r = bind(b.KeyA, `{"events":["2 PERIODIC"],"enabled":false}`)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	_, ok = b.Sim.Preset("acme-wifi-channel")
	require.False(t, ok, "the preset is gone")
	_, ok = b.Sim.Provision("acme-wifi-channel")
	require.True(t, ok, "the provision is kept")
}

// A bound script that never ends is stopped by the runtime's time limit,
// as GenieACS stops it: the session ends with a fault on the preset's
// channel, and the device goes on informing.
func TestAPIProvisionRunawayScript(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	gid, err := b.Sim.AddDevice(acssim.ProfileTPLinkAX10, "AX10LOOP0001")
	require.NoError(t, err)
	require.NoError(t, b.Sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	require.NoError(t, b.ACS.AddTag(ctx, gid, "org:acme"))
	require.Equal(t, http.StatusOK, b.API(t, http.MethodPut, "/cpe/provisions/spin", b.KeyA, scriptBody("while (true) {}")).Status)
	require.Equal(t, http.StatusOK, b.API(t, http.MethodPut, "/cpe/provisions/spin/binding", b.KeyA, `{"events":["2 PERIODIC"],"enabled":true}`).Status)
	require.NoError(t, b.Sim.Inform(ctx, gid, "2 PERIODIC"), "the session ends")
	faults, err := b.ACS.Faults(ctx, map[string]any{"device": gid, "channel": "acme-spin"})
	require.NoError(t, err)
	require.Len(t, faults, 1)
	require.Equal(t, "script.Error", faults[0].Code)
	require.Contains(t, faults[0].Message, "timed out")
}

// "Try on one device" runs the current script once on that device and
// answers what it read or set, or GenieACS's fault; nothing stays bound.
func TestAPIProvisionTry(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	devID, gid := b.QuietSimDevice(t, b.OrgA, acssim.ProfileTPLinkAX10)
	try := func(key, name string) webtest.APIResp {
		return b.API(t, http.MethodPost, "/cpe/provisions/"+name+"/try", key, `{"deviceId":"`+devID.String()+`"}`)
	}
	require.Equal(t, http.StatusOK, b.API(t, http.MethodPut, "/cpe/provisions/channel", b.KeyA, scriptBody(channelV1)).Status)
	r := try(b.KeyA, "channel")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, true, r.Body["ran"])
	require.Nil(t, r.Body["fault"])
	changed := r.Body["changed"].([]any)
	vdbg, _ := b.Sim.Value(gid, "Device.WiFi.Radio.1.Channel")
	require.NotEmpty(t, changed, "%s; channel now %v", r.Raw, vdbg)
	var found bool
	for _, c := range changed {
		if c.(map[string]any)["path"] == "Device.WiFi.Radio.1.Channel" {
			found = c.(map[string]any)["after"] == "6"
		}
	}
	require.True(t, found, "the channel it set: %v", changed)
	v, _ := b.Sim.Value(gid, "Device.WiFi.Radio.1.Channel")
	require.EqualValues(t, 6, v)

	require.Equal(t, http.StatusOK, b.API(t, http.MethodPut, "/cpe/provisions/thrower", b.KeyA, scriptBody("throw new Error('no such thing');")).Status)
	r = try(b.KeyA, "thrower")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "script.Error", r.Body["fault"].(map[string]any)["code"])
	require.Contains(t, r.Body["fault"].(map[string]any)["message"], "no such thing")
	require.Equal(t, http.StatusOK, b.API(t, http.MethodPut, "/cpe/provisions/missing-ext", b.KeyA, scriptBody("ext('nope', 'fn');")).Status)
	r = try(b.KeyA, "missing-ext")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.NotNil(t, r.Body["fault"], "a missing ext script faults")

	presets, err := b.ACS.Presets(context.Background())
	require.NoError(t, err)
	for _, p := range presets {
		require.NotContains(t, p.ID, "try", "nothing stays bound")
	}
	faults, err := b.ACS.Faults(context.Background(), map[string]any{"device": gid})
	require.NoError(t, err)
	require.Empty(t, faults, "the try's faults are cleared with it")

	require.Equal(t, http.StatusForbidden, try(b.KeyViewerA, "channel").Status)
	require.Equal(t, http.StatusNotFound, try(b.KeyB, "channel").Status)
	otherDev, _ := b.QuietSimDevice(t, b.OrgB, acssim.ProfileTPLinkAX10)
	r = b.API(t, http.MethodPost, "/cpe/provisions/channel/try", b.KeyA, `{"deviceId":"`+otherDev.String()+`"}`)
	require.Equal(t, http.StatusNotFound, r.Status, "never on another organization's device")
}

// Warnings beside a saved script: a call GenieACS does not provide, and a
// declared path none of the organization's devices has in GenieACS; a
// path the organization's device has is not flagged. The script is saved.
func TestAPIProvisionWarnings(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	ctx := context.Background()
	gid, err := b.Sim.AddDevice(acssim.ProfileTPLinkAX10, "AX10WARN0001")
	require.NoError(t, err)
	require.NoError(t, b.Sim.Inform(ctx, gid, "0 BOOTSTRAP", "1 BOOT"))
	require.NoError(t, b.ACS.AddTag(ctx, gid, "org:acme"))
	_, err = b.ACS.CreateTask(ctx, gid, genieacs.Task{Name: genieacs.TaskGetParameterValues, ParameterNames: []string{"Device.WiFi.Radio.1.Channel"}},
		genieacs.TaskOptions{ConnectionRequest: true})
	require.NoError(t, err)
	script := "function helper() { return 1; }\n" +
		"helper();\n" +
		"declare('Device.WiFi.Radio.1.Channel', {value: 1});\n" +
		"declare('Device.NoSuch.Thing', {value: 1});\n" +
		"declare('Tags.x', null, {value: true});\n" +
		"setValue('Device.X', 1);\n"
	r := b.API(t, http.MethodPut, "/cpe/provisions/warned", b.KeyA, scriptBody(script))
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	var msgs []string
	for _, w := range r.Body["warnings"].([]any) {
		m := w.(map[string]any)
		msgs = append(msgs, fmt.Sprintf("%v:%v %v", m["line"], m["column"], m["message"]))
	}
	require.Len(t, msgs, 2, "%v", msgs)
	require.Contains(t, msgs[0], "4:1 none of your devices has Device.NoSuch.Thing")
	require.Contains(t, msgs[1], "6:1 setValue() is not a function GenieACS provides")
}
