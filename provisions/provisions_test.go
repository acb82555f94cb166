package provisions

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/require"
)

// sandbox runs a provision the way GenieACS's sandbox presents it:
// declare() over a device tree (wildcards, DeviceID.*, Tags.*), ext(),
// log(). It records what the script declares, so tests can check the paths
// it reads and the values it sets.
type sandbox struct {
	t        *testing.T
	identity map[string]string // DeviceID.* values
	tree     map[string]any    // path -> value
	tags     map[string]bool
	answer   map[string]any // what ext() returns
	extArgs  []string
	declared []declared
	logs     []string
}

type declared struct {
	path   string
	ts     map[string]any
	values map[string]any
}

func (s *sandbox) run(name string) {
	s.t.Helper()
	script, err := Render(name)
	require.NoError(s.t, err)
	vm := goja.New()
	require.NoError(s.t, vm.Set("__declare", s.declare))
	require.NoError(s.t, vm.Set("ext", func(call goja.FunctionCall) goja.Value {
		s.extArgs = nil
		for _, a := range call.Arguments {
			s.extArgs = append(s.extArgs, a.String())
		}
		return vm.ToValue(s.answer)
	}))
	require.NoError(s.t, vm.Set("log", func(msg string) { s.logs = append(s.logs, msg) }))
	_, err = vm.RunString(`function declare(p, t, v) {
		const r = __declare(p, t === undefined ? null : t, v === undefined ? null : v);
		return { size: r.length, path: r.length ? r[0].path : undefined, value: r.length ? r[0].value : undefined,
			[Symbol.iterator]: function () { return r[Symbol.iterator](); } };
	}`)
	require.NoError(s.t, err)
	// As GenieACS compiles it.
	_, err = vm.RunString("\"use strict\";(function(){\n" + script + "\n})();")
	require.NoError(s.t, err, "provision %s runs", name)
}

func (s *sandbox) declare(path string, ts, values map[string]any) []map[string]any {
	s.declared = append(s.declared, declared{path: path, ts: ts, values: values})
	var out []map[string]any
	switch {
	case strings.HasPrefix(path, "DeviceID."):
		if v, ok := s.identity[strings.TrimPrefix(path, "DeviceID.")]; ok {
			out = append(out, map[string]any{"path": path, "value": []any{v, "xsd:string"}})
		}
		return out
	case path == "Tags.*":
		for t := range s.tags {
			out = append(out, map[string]any{"path": "Tags." + t, "value": []any{true, "xsd:boolean"}})
		}
		return out
	case strings.HasPrefix(path, "Tags."):
		if values != nil {
			s.tags[strings.TrimPrefix(path, "Tags.")] = values["value"] == true
		}
		return out
	}
	re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(path), `\*`, `[^.]+`) + "$")
	var hits []string
	for p := range s.tree {
		if re.MatchString(p) {
			hits = append(hits, p)
		}
	}
	sort.Strings(hits)
	for _, p := range hits {
		if values != nil {
			s.tree[p] = values["value"]
		}
		out = append(out, map[string]any{"path": p, "value": []any{s.tree[p], "xsd:string"}})
	}
	return out
}

// set returns the value the script set on path, if any.
func (s *sandbox) set(path string) (any, bool) {
	for i := len(s.declared) - 1; i >= 0; i-- {
		d := s.declared[i]
		if d.path == path && d.values != nil {
			return d.values["value"], true
		}
	}
	return nil, false
}

func huaweiTree() map[string]any {
	tree := map[string]any{}
	for _, p := range []string{
		"InternetGatewayDevice.DeviceInfo.SoftwareVersion", "InternetGatewayDevice.DeviceInfo.UpTime",
		"InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed", "InternetGatewayDevice.DeviceInfo.X_HW_MemUsed",
		"InternetGatewayDevice.ManagementServer.PeriodicInformEnable", "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
		"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress",
		"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Username",
		"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Password",
		"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1.Enable",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey",
	} {
		tree[p] = ""
	}
	return tree
}

func TestBootstrapAppliesTheAnswerOnTR098(t *testing.T) {
	s := &sandbox{t: t, tree: huaweiTree(), tags: map[string]bool{"org:old-isp": true, "sub:bob": true, "custom": true},
		identity: map[string]string{"SerialNumber": "48575443A1B2C3D4", "OUI": "00259E", "ProductClass": "HG8245H",
			"Manufacturer": "Huawei Technologies Co., Ltd", "ID": "00259E-HG8245H-48575443A1B2C3D4"},
		answer: map[string]any{
			"status": "assigned", "tags": []any{"org:acme", "sub:alice", "plan:home-10"},
			"pppoe": map[string]any{"username": "alice", "password": "s3cret"},
			"wifi": []any{map[string]any{"band": "2.4GHz", "ssid": "Alice", "password": "wifi-pass-1"},
				map[string]any{"band": "5GHz", "ssid": "Alice-5G", "password": "wifi-pass-5"}},
			"periodicInformInterval": 300,
		}}
	s.run(Bootstrap)

	require.Equal(t, []string{"fyberpay", "identifyDevice", "48575443A1B2C3D4", "00259E", "HG8245H", "Huawei Technologies Co., Ltd", "00259E-HG8245H-48575443A1B2C3D4", "InternetGatewayDevice"}, s.extArgs)
	require.Equal(t, map[string]bool{"org:acme": true, "sub:alice": true, "plan:home-10": true, "org:old-isp": false, "sub:bob": false, "custom": true}, s.tags,
		"managed tags replaced, others kept")
	ppp := "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.4.WANPPPConnection.1."
	for path, want := range map[string]any{
		ppp + "Username": "alice", ppp + "Password": "s3cret", ppp + "Enable": true,
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID":                        "Alice",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey": "wifi-pass-1",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID":                        "Alice-5G",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey": "wifi-pass-5",
		"InternetGatewayDevice.ManagementServer.PeriodicInformEnable":                       true,
		"InternetGatewayDevice.ManagementServer.PeriodicInformInterval":                     int64(300),
	} {
		got, ok := s.set(path)
		require.True(t, ok, "sets %s", path)
		require.EqualValues(t, want, got, path)
	}
	_, ok := s.set("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase")
	require.False(t, ok, "Huawei's key goes to PreSharedKey.1.PreSharedKey only")
}

func TestBootstrapPendingDeviceOnTR181(t *testing.T) {
	tree := map[string]any{"Device.DeviceInfo.SoftwareVersion": "1.0", "Device.PPP.Interface.1.Username": "",
		"Device.ManagementServer.PeriodicInformEnable": false, "Device.ManagementServer.PeriodicInformInterval": 3600}
	s := &sandbox{t: t, tree: tree, tags: map[string]bool{},
		identity: map[string]string{"SerialNumber": "2233445566778", "OUI": "50C7BF", "ProductClass": "Archer AX10", "Manufacturer": "TP-Link", "ID": "x"},
		answer:   map[string]any{"status": "pending", "tags": []any{}, "periodicInformInterval": 300}}
	s.run(Bootstrap)
	require.Equal(t, "Device", s.extArgs[7])
	require.Empty(t, s.tags)
	_, ok := s.set("Device.PPP.Interface.1.Username")
	require.False(t, ok, "no PPPoE for a pending device")
	v, ok := s.set("Device.ManagementServer.PeriodicInformInterval")
	require.True(t, ok)
	require.EqualValues(t, 300, v)
}

func TestHealthRefreshesEveryInform(t *testing.T) {
	s := &sandbox{t: t, tree: huaweiTree(), tags: map[string]bool{}, identity: map[string]string{}}
	before := time.Now().Add(-61 * time.Second).UnixMilli()
	s.run(Health)
	seen := map[string]bool{}
	for _, d := range s.declared {
		ts, _ := d.ts["value"].(int64)
		require.Greater(t, ts, before, "%s is declared with a recent timestamp, not {value: 1}", d.path)
		require.Nil(t, d.values, "health only reads")
		seen[d.path] = true
	}
	for _, p := range []string{"InternetGatewayDevice.DeviceInfo.UpTime", "InternetGatewayDevice.DeviceInfo.X_HW_CpuUsed",
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalAssociations"} {
		require.True(t, seen[p], p)
	}
	for p := range seen {
		require.False(t, strings.HasPrefix(p, "Device.") && p != "Device.DeviceInfo.UpTime", "TR-181 paths are not declared on a TR-098 device: %s", p)
	}
}

func TestDiagnosticsRefreshesResults(t *testing.T) {
	tree := map[string]any{"Device.DeviceInfo.UpTime": 5}
	s := &sandbox{t: t, tree: tree, tags: map[string]bool{}, identity: map[string]string{}}
	s.run(Diagnostics)
	var paths []string
	for _, d := range s.declared {
		paths = append(paths, d.path)
	}
	require.Contains(t, paths, "Device.IP.Diagnostics.DownloadDiagnostics.EOMTime")
	require.Contains(t, paths, "Device.IP.Diagnostics.IPPing.AverageResponseTime")
}

func TestRenderedScriptsCompile(t *testing.T) {
	for _, n := range Names {
		s, err := Render(n)
		require.NoError(t, err)
		_, err = goja.Compile(n, "\"use strict\";(function(){\n"+s+"\n})();", true)
		require.NoError(t, err, n)
		require.NotContains(t, s, "@fyberpay:", "markers are replaced")
	}
	require.Contains(t, string(ExtScript()), "exports.identifyDevice")
}
