package acssim

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	hwSSID     = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"
	hwKey      = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"
	hwInterval = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval"
	hwUpTime   = "InternetGatewayDevice.DeviceInfo.UpTime"
	hwSW       = "InternetGatewayDevice.DeviceInfo.SoftwareVersion"
)

func spv(path string, v any) string {
	return `{"name":"setParameterValues","parameterValues":[[` + jsonString(path) + `,` + string(appendJSON(nil, v)) + `]]}`
}

func TestTaskOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	id := b.addDevice(t, ProfileHuaweiHG8245H)

	t.Run("QueuedWithoutConnectionRequestIs202Accepted", func(t *testing.T) {
		r := b.nbi.task(id, spv(hwSSID, "Queued-SSID"), false)
		require.Equal(t, "202 Accepted", r.status)
		task := r.json(t)
		require.Len(t, task["_id"], 24)
		require.Equal(t, id, task["device"])
		require.NotEmpty(t, task["timestamp"])
		docs, total := b.nbi.list("tasks", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "1", total)
		require.Equal(t, task["_id"], docs[0]["_id"])
		_, fetched := b.nbi.param(id, hwSSID, "_value")
		require.False(t, fetched, "nothing happens before the next inform")

		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Equal(t, "Queued-SSID", b.nbi.value(id, hwSSID))
		_, total = b.nbi.list("tasks", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "0", total, "a completed task is deleted")
	})
	t.Run("ConnectionRequestCompletedIs200", func(t *testing.T) {
		r := b.nbi.task(id, spv(hwSSID, "Now-SSID"), true)
		require.Equal(t, "200 OK", r.status)
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		require.Equal(t, "Now-SSID", b.nbi.value(id, hwSSID))
		w, ok := b.nbi.param(id, hwSSID, "_writable")
		require.True(t, ok, "the set discovered its parent object")
		require.Equal(t, true, w)
	})
	t.Run("FaultedIs202TaskFaulted", func(t *testing.T) {
		r := b.nbi.task(id, spv(hwInterval, "abc"), true)
		require.Equal(t, "202 Task faulted", r.status)
		taskID := r.json(t)["_id"].(string)
		faults, _ := b.nbi.list("faults", `{"_id":`+jsonString(id+":task_"+taskID)+`}`, "", "")
		require.Len(t, faults, 1)
		f := faults[0]
		require.Equal(t, "cwmp.9007", f["code"])
		require.Equal(t, "Invalid parameter value", f["message"])
		require.Equal(t, "task_"+taskID, f["channel"])
		require.Equal(t, float64(0), f["retries"])
		require.Equal(t, `[["value","`+hwInterval+`","abc"]]`, f["provisions"])
		det := f["detail"].(map[string]any)
		require.Equal(t, "9007", det["faultCode"])
		require.Equal(t, []any{map[string]any{"parameterName": hwInterval, "faultCode": "9007", "faultString": "Invalid parameter value"}}, det["setParameterValuesFault"])
		require.Equal(t, float64(300), b.nbi.value(id, hwInterval), "a faulted set changes nothing (the value was read before the set)")

		t.Run("TaskStaysAndIsNotRetriedBeforeBackoff", func(t *testing.T) {
			require.NoError(t, b.sim.Inform(b.ctx, id))
			faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
			require.Equal(t, float64(0), faults[0]["retries"])
		})
		t.Run("RetryDeletesTheFault", func(t *testing.T) {
			require.Equal(t, "200 OK", b.nbi.must(http.MethodPost, "/tasks/"+taskID+"/retry", "").status)
			_, total := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
			require.Equal(t, "0", total)
			require.NoError(t, b.sim.Inform(b.ctx, id))
			faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
			require.Len(t, faults, 1, "it faults again at the next session")
		})
		t.Run("DeletingTheFaultDeletesTheTask", func(t *testing.T) {
			r := b.nbi.must(http.MethodDelete, "/faults/"+url.PathEscape(id)+"%3Atask_"+taskID, "")
			require.Equal(t, "200 OK", r.status)
			_, total := b.nbi.list("tasks", `{"_id":"`+taskID+`"}`, "", "")
			require.Equal(t, "0", total)
		})
	})
	t.Run("ReadOnlyIsSkippedSilently", func(t *testing.T) {
		// GenieACS lists the parent first, learns the parameter is not
		// writable and sends nothing: the task succeeds, nothing changes.
		r := b.nbi.task(id, spv(hwSW, "hacked"), true)
		require.Equal(t, "200 OK", r.status)
		require.NotEqual(t, "hacked", b.nbi.value(id, hwSW))
		w, _ := b.nbi.param(id, hwSW, "_writable")
		require.Equal(t, false, w)
		_, total := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "0", total)
	})
	t.Run("ShortWifiKeyIs9007", func(t *testing.T) {
		r := b.nbi.task(id, spv(hwKey, "short"), true)
		require.Equal(t, "202 Task faulted", r.status)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`,"code":"cwmp.9007"}`, "", "")
		require.Len(t, faults, 1)
		b.nbi.must(http.MethodDelete, "/faults/"+faults[0]["_id"].(string), "")
	})
	t.Run("MissingPathIsASilent200", func(t *testing.T) {
		r := b.nbi.task(id, spv("InternetGatewayDevice.NoSuch.Param", "x"), true)
		require.Equal(t, "200 OK", r.status)
		_, ok := b.nbi.param(id, "InternetGatewayDevice.NoSuch.Param", "_value")
		require.False(t, ok)
		r = b.nbi.task(id, `{"name":"getParameterValues","parameterNames":["InternetGatewayDevice.NoSuch.Thing"]}`, true)
		require.Equal(t, "200 OK", r.status)
		_, total := b.nbi.list("faults", "", "", "")
		require.Equal(t, "0", total)
	})
	t.Run("SecretsReadBackEmpty", func(t *testing.T) {
		clock := newFakeClock()
		b := setup(t, setupOpts{opts: Options{Now: clock.now}})
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		r := b.nbi.task(id, spv(hwKey, "correct horse battery"), true)
		require.Equal(t, "200 OK", r.status)
		require.Equal(t, "correct horse battery", b.nbi.value(id, hwKey), "GenieACS keeps the value it set")
		gpv := `{"name":"getParameterValues","parameterNames":["` + hwKey + `"]}`
		require.Equal(t, "200 OK", b.nbi.task(id, gpv, true).status)
		require.Equal(t, "correct horse battery", b.nbi.value(id, hwKey), "a refresh in the same second reads nothing")
		clock.advance(time.Second)
		require.Equal(t, "200 OK", b.nbi.task(id, gpv, true).status)
		require.Equal(t, "", b.nbi.value(id, hwKey), "the CPE reads it back empty")
		w, _ := b.nbi.param(id, hwKey, "_writable")
		require.Equal(t, true, w, "the path exists and is writable: the only proof a secret write can have")
		require.Equal(t, "correct horse battery", b.sim.rawValue(b.sim.byID[id], mustResolve(t, b.sim, id, hwKey)), "the CPE holds it")
	})
	t.Run("GetParameterValuesRefreshesTimestamps", func(t *testing.T) {
		clock := newFakeClock()
		b := setup(t, setupOpts{opts: Options{Now: clock.now}})
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		r := b.nbi.task(id, `{"name":"getParameterValues","parameterNames":["`+hwUpTime+`"]}`, true)
		require.Equal(t, "200 OK", r.status)
		before, _ := b.nbi.param(id, hwUpTime, "_timestamp")
		clock.advance(time.Second) // a refresh reads again once its second has passed
		r = b.nbi.task(id, `{"name":"getParameterValues","parameterNames":["`+hwUpTime+`","`+hwSW+`"]}`, true)
		require.Equal(t, "200 OK", r.status)
		after, _ := b.nbi.param(id, hwUpTime, "_timestamp")
		require.Greater(t, after, before)
	})
	t.Run("RefreshObjectDiscoversWritability", func(t *testing.T) {
		const p = "InternetGatewayDevice.LANDevice.1.Hosts.Host.1.HostName"
		_, ok := b.nbi.param(id, p, "_writable")
		require.False(t, ok)
		require.Equal(t, "200 OK", b.nbi.task(id, `{"name":"refreshObject","objectName":"InternetGatewayDevice.LANDevice.1.Hosts"}`, true).status)
		w, ok := b.nbi.param(id, p, "_writable")
		require.True(t, ok)
		require.Equal(t, false, w)
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_timestamp")
		require.NotContains(t, docs[0], "_timestamp")
		require.Equal(t, "200 OK", b.nbi.task(id, `{"name":"refreshObject","objectName":""}`, true).status)
		docs, _ = b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_timestamp")
		require.Contains(t, docs[0], "_timestamp", "a root refresh stamps the document")
	})
	t.Run("AddAndDeleteObject", func(t *testing.T) {
		const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
		r := b.nbi.task(id, `{"name":"addObject","objectName":"`+table+`"}`, true)
		require.Equal(t, "200 OK", r.status)
		// The table holds one client already: the new instance is 2.
		_, fetched := b.nbi.param(id, table+".2.AssociatedDeviceMACAddress", "_value")
		require.False(t, fetched, "GenieACS knows the new instance, not its values")
		require.Equal(t, "200 OK", b.nbi.task(id, `{"name":"refreshObject","objectName":"`+table+`.2"}`, true).status)
		mac := b.nbi.value(id, table+".2.AssociatedDeviceMACAddress")
		require.Regexp(t, `^([0-9A-F]{2}:){5}[0-9A-F]{2}$`, mac)
		require.NotEqual(t, b.nbi.value(id, table+".1.AssociatedDeviceMACAddress"), mac, "another client")
		ip := b.nbi.value(id, table+".2.AssociatedDeviceIPAddress")
		require.Regexp(t, `^192\.168\.\d+\.(1\d\d|2[0-4]\d|\d\d?)$`, ip, "a valid address (it was .368)")
		r = b.nbi.task(id, `{"name":"deleteObject","objectName":"`+table+`.2."}`, true)
		require.Equal(t, "202 Task faulted", r.status)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "script.Error", faults[0]["code"])
		require.Equal(t, "Invalid parameter path", faults[0]["message"])
		require.Equal(t, `[["instances","`+table+`.2.",0]]`, faults[0]["provisions"])
		b.nbi.must(http.MethodDelete, "/faults/"+faults[0]["_id"].(string), "")
		require.Equal(t, "200 OK", b.nbi.task(id, `{"name":"deleteObject","objectName":"`+table+`.2"}`, true).status)
		_, ok := b.nbi.param(id, table+".2.AssociatedDeviceMACAddress", "_value")
		require.False(t, ok)
	})
	t.Run("InvalidBodiesDropTheConnection", func(t *testing.T) {
		for _, body := range []string{
			`{"name":"frobnicate"}`,
			`{"name":"getParameterValues"}`,
			`{"name":"getParameterValues","parameterNames":[]}`,
			`{"name":"setParameterValues","parameterValues":[["a"]]}`,
			`{"name":"deleteObject","objectName":""}`,
			`{"name":"refreshObject"}`,
		} {
			for _, cr := range []bool{false, true} {
				p := "/devices/" + id + "/tasks"
				if cr {
					p += "?connection_request"
				}
				_, err := b.nbi.do(http.MethodPost, p, body)
				require.Error(t, err, "%s must get no answer", body)
			}
		}
		_, total := b.nbi.list("tasks", "", "", "")
		require.Equal(t, "0", total, "nothing was stored")
	})
	t.Run("RequestErrors", func(t *testing.T) {
		r := b.nbi.task("NO-SUCH-DEVICE", `{"name":"reboot"}`, true)
		require.Equal(t, "404 Not Found", r.status)
		require.Equal(t, "No such device", string(r.body))
		r = b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks", "{bad json")
		require.Equal(t, "400 Bad Request", r.status)
		require.Equal(t, "SyntaxError: Expected property name or '}' in JSON at position 1", string(r.body))
		r = b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks", "")
		require.Equal(t, "400 Bad Request", r.status)
		require.Empty(t, r.body)
		r = b.nbi.must(http.MethodGet, "/devices/"+id, "")
		require.Equal(t, "405 Method Not Allowed", r.status)
		require.Equal(t, "DELETE", r.header.Get("Allow"))
	})
	t.Run("ExpiryAndUniqueKey", func(t *testing.T) {
		body := `{"name":"refreshObject","objectName":"InternetGatewayDevice.DeviceInfo","expiry":600,"uniqueKey":"k"}`
		first := b.nbi.task(id, body, false).json(t)
		second := b.nbi.task(id, body, false).json(t)
		ts, _ := time.Parse(time.RFC3339, second["timestamp"].(string))
		ex, _ := time.Parse(time.RFC3339, second["expiry"].(string))
		require.Equal(t, 600*time.Second, ex.Sub(ts))
		docs, _ := b.nbi.list("tasks", `{"device":`+jsonString(id)+`}`, "", "")
		require.Len(t, docs, 1)
		require.Equal(t, second["_id"], docs[0]["_id"])
		require.NotEqual(t, first["_id"], second["_id"])
		require.Equal(t, "200 OK", b.nbi.must(http.MethodDelete, "/tasks/"+second["_id"].(string), "").status)
		r := b.nbi.must(http.MethodDelete, "/tasks/"+second["_id"].(string), "")
		require.Equal(t, "404 Not Found", r.status)
		require.Equal(t, "Task not found", string(r.body))
		_, err := b.nbi.do(http.MethodDelete, "/tasks/not-an-objectid", "")
		require.Error(t, err, "a non-ObjectId crashes the real NBI")
		_, err = b.nbi.do(http.MethodPost, "/tasks/6b08dd238b2e7f1622953fff/retry", "")
		require.Error(t, err, "retrying an unknown task crashes the real NBI")
	})
	t.Run("ExpiredTaskIsDroppedUnrun", func(t *testing.T) {
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		b.nbi.task(id, `{"name":"setParameterValues","parameterValues":[["`+hwSSID+`","Expired"]],"expiry":"`+past+`"}`, false)
		require.NoError(t, b.sim.Inform(b.ctx, id))
		require.NotEqual(t, "Expired", b.sim.rawValue(b.sim.byID[id], mustResolve(t, b.sim, id, hwSSID)))
		_, total := b.nbi.list("tasks", "", "", "")
		require.Equal(t, "0", total)
	})
}

func mustResolve(t *testing.T, s *Sim, id, path string) nref {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.resolve(s.byID[id], path)
	require.True(t, ok)
	return r
}

func TestConnectionRequests(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	id := b.addDevice(t, ProfileZTEF660)
	gpv := `{"name":"getParameterValues","parameterNames":["InternetGatewayDevice.DeviceInfo.UpTime"]}`

	t.Run("OfflineDeviceKeepsTheTask", func(t *testing.T) {
		require.NoError(t, b.sim.SetOnline(id, false))
		r := b.nbi.task(id, gpv, true)
		require.Equal(t, "202 Device is offline", r.status)
		require.Equal(t, id, r.json(t)["device"], "the body is still the task")
		r = b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks?connection_request", "")
		require.Equal(t, "504 Device is offline", r.status)
		require.Equal(t, "Device is offline", string(r.body))
		require.ErrorIs(t, b.sim.Inform(b.ctx, id), ErrDeviceOffline)
		_, total := b.nbi.list("tasks", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "1", total)

		require.NoError(t, b.sim.SetOnline(id, true))
		require.NoError(t, b.sim.Inform(b.ctx, id))
		_, total = b.nbi.list("tasks", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, "0", total, "it runs at the next inform")
	})
	t.Run("UnresponsiveDeviceQueuesButDoesNotProcess", func(t *testing.T) {
		require.NoError(t, b.sim.SetUnresponsive(id, true))
		start := time.Now()
		r := b.nbi.task(id, gpv, true)
		require.Equal(t, "202 Task queued but not processed", r.status)
		require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "waits the online threshold")
		r = b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks?connection_request&timeout=30", gpv)
		require.Equal(t, "202 Task queued but not processed", r.status)
		require.Equal(t, "200 OK", b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks?connection_request", "").status,
			"the wake-up itself is accepted")
		require.NoError(t, b.sim.SetUnresponsive(id, false))
		require.NoError(t, b.sim.Inform(b.ctx, id))
	})
	t.Run("WakeUpOnlyRunsASession", func(t *testing.T) {
		before := b.sim.Stats().Informs
		r := b.nbi.must(http.MethodPost, "/devices/"+id+"/tasks?connection_request", "")
		require.Equal(t, "200 OK", r.status)
		require.Empty(t, r.body)
		eventually(t, "the session", func() bool { return b.sim.Stats().Informs > before })
	})
}

func TestDeviceLifecycle(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	now := func() time.Time { <-mu; defer func() { mu <- struct{}{} }(); return clock }
	advance := func(d time.Duration) { <-mu; clock = clock.Add(d); mu <- struct{}{} }
	b := setup(t, setupOpts{identify: true, opts: Options{Now: now, TimeCompression: 1000}})
	id := b.addDevice(t, ProfileHuaweiHG8245H)
	require.Equal(t, 1, b.ident.count(), "one BOOTSTRAP, one question (the ext script keeps the answer between preset passes)")

	t.Run("UpTimeGrowsWithCompressedTime", func(t *testing.T) {
		advance(time.Second)
		require.NoError(t, b.sim.Inform(b.ctx, id))
		require.Equal(t, float64(1000), b.nbi.value(id, hwUpTime), "1 s of wall time is 1000 s of device time")
	})
	t.Run("RebootResetsUpTimeAndStampsLastBoot", func(t *testing.T) {
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_lastBoot")
		bootBefore := docs[0]["_lastBoot"]
		advance(time.Second)
		// The device stays down until the gate opens: its 30 s boot is
		// 30 ms of wall time here, less than a busy machine may take
		// between two requests.
		gate := make(chan struct{})
		b.sim.mu.Lock()
		b.sim.bootGate = gate
		b.sim.mu.Unlock()
		r := b.nbi.task(id, `{"name":"reboot"}`, true)
		require.Equal(t, "200 OK", r.status)
		require.Equal(t, "202 Device is offline", b.nbi.task(id, `{"name":"reboot"}`, true).status, "down while rebooting")
		b.sim.mu.Lock()
		b.sim.bootGate = nil
		b.sim.mu.Unlock()
		close(gate)
		eventually(t, "the boot inform", func() bool {
			b.sim.mu.RLock()
			defer b.sim.mu.RUnlock()
			d := b.sim.byID[id]
			return !d.has(fRebooting) && !d.has(fBusy) && d.events == 0
		})
		docs, _ = b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_lastBoot")
		require.NotEqual(t, bootBefore, docs[0]["_lastBoot"])
		require.Equal(t, float64(1000), b.nbi.value(id, hwUpTime), "the boot session ran no health provision: the old value stays")
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Equal(t, float64(0), b.nbi.value(id, hwUpTime))
		_, total := b.nbi.list("tasks", "", "", "")
		require.Equal(t, "0", total, "the second reboot ran after the boot")
	})
	t.Run("FactoryResetRevertsConfigKeepsTagsAndIdentifiesAgain", func(t *testing.T) {
		b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/org%3Aacme", "")
		require.Equal(t, "200 OK", b.nbi.task(id, spv(hwSSID, "Custom"), true).status)
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_lastBootstrap")
		bootstrapBefore := docs[0]["_lastBootstrap"]
		require.Equal(t, "Custom", b.nbi.value(id, hwSSID))
		advance(time.Second)
		require.Equal(t, "200 OK", b.nbi.task(id, `{"name":"factoryReset"}`, true).status)
		eventually(t, "the bootstrap session", func() bool {
			b.sim.mu.RLock()
			defer b.sim.mu.RUnlock()
			d := b.sim.byID[id]
			return !d.has(fRebooting) && !d.has(fBusy) && d.lastBootstrap > 0 && msTime(d.lastBootstrap).Format(time.RFC3339Nano) != bootstrapBefore
		})
		require.NotEqual(t, "Custom", b.sim.rawValue(b.sim.byID[id], mustResolve(t, b.sim, id, hwSSID)), "the CPE reverted")
		_, held := b.nbi.param(id, hwSSID, "_value")
		require.False(t, held, "the bootstrap provision cleared GenieACS's stale copy")
		docs, _ = b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_lastBootstrap,_tags")
		require.NotEqual(t, bootstrapBefore, docs[0]["_lastBootstrap"])
		require.Equal(t, []any{}, docs[0]["_tags"], "org:acme was not in identify's answer, so it went; tags live in GenieACS")
	})
	t.Run("DeletedDeviceRegistersAgainAtNextInform", func(t *testing.T) {
		require.Equal(t, "200 OK", b.nbi.must(http.MethodDelete, "/devices/"+id, "").status)
		_, total := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_id")
		require.Equal(t, "0", total)
		require.Equal(t, "404 Not Found", b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/x", "").status)
		advance(time.Minute)
		require.NoError(t, b.sim.Inform(b.ctx, id))
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_registered,_lastBootstrap,_tags")
		require.Len(t, docs, 1)
		require.Equal(t, clock.Format("2006-01-02T15:04:05.000Z"), docs[0]["_registered"])
		require.NotContains(t, docs[0], "_tags")
		require.NotContains(t, docs[0], "_lastBootstrap", "a periodic inform is not a bootstrap")
	})
}

func TestHealthValuesMoveBetweenInforms(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := setup(t, setupOpts{opts: Options{Devices: 3, Seed: 5, Now: clock.now}})
	installHealth(t, b.nbi)
	for _, id := range b.sim.DeviceIDs() {
		d := b.sim.byID[id]
		var cpu, bytes string
		switch d.tpl.prof.name {
		case ProfileHuaweiHG8245H:
			cpu, bytes = "InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed", "InternetGatewayDevice.WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived"
		case ProfileZTEF660:
			cpu, bytes = "InternetGatewayDevice.DeviceInfo.X_ZTE-COM_CpuUsed", "InternetGatewayDevice.WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Stats.BytesReceived"
		default:
			cpu, bytes = "Device.DeviceInfo.ProcessStatus.CPUUsage", "Device.IP.Interface.2.Stats.BytesReceived"
		}
		seen := map[any]bool{}
		var lastBytes float64
		for i := 0; i < 8; i++ {
			clock.advance(10 * time.Millisecond)
			require.NoError(t, b.sim.Inform(b.ctx, id))
			seen[b.nbi.value(id, cpu)] = true
			by := b.nbi.value(id, bytes).(float64)
			require.GreaterOrEqual(t, by+2e6, lastBytes, "counters grow with uptime")
			lastBytes = by
		}
		require.Greater(t, len(seen), 1, "%s CPU varies between informs", id)
	}
}
