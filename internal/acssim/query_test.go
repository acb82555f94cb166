package acssim

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ids(docs []map[string]any) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d["_id"].(string))
	}
	return out
}

func TestDeviceQueries(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	b := setup(t, setupOpts{opts: Options{Devices: 6, Seed: 3, Now: func() time.Time { return clock }}})
	all := b.sim.DeviceIDs()
	require.Len(t, all, 6)
	byProfile := map[string][]string{}
	for _, id := range all {
		d := b.sim.byID[id]
		byProfile[d.tpl.prof.name] = append(byProfile[d.tpl.prof.name], id)
	}
	huawei, zte, tplink := byProfile[ProfileHuaweiHG8245H], byProfile[ProfileZTEF660], byProfile[ProfileTPLinkAX10]
	require.Len(t, huawei, 2)
	require.Len(t, zte, 2)
	require.Len(t, tplink, 2)
	// GenieACS knows only what was fetched: read what the queries below
	// look at, as a task would.
	for _, id := range all {
		gpv := `{"name":"getParameterValues","parameterNames":["InternetGatewayDevice.ManagementServer.PeriodicInformInterval",` +
			`"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID","InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID",` +
			`"InternetGatewayDevice.DeviceInfo.UpTime"]}`
		if b.sim.byID[id].tpl.prof.tr181 {
			gpv = `{"name":"getParameterValues","parameterNames":["Device.ManagementServer.PeriodicInformInterval","Device.WiFi.SSID.3.SSID"]}`
		}
		b.nbi.task(id, gpv, false)
		require.NoError(t, b.sim.Inform(b.ctx, id))
	}
	b.nbi.must(http.MethodPost, "/devices/"+huawei[0]+"/tags/sub%3Aalice", "")
	b.nbi.must(http.MethodPost, "/devices/"+zte[1]+"/tags/plan%3Ahome-10", "")
	clock = clock.Add(time.Hour)
	require.NoError(t, b.sim.Inform(b.ctx, zte[0]))

	q := func(query string) []string {
		docs, total := b.nbi.devices(query, "_id")
		require.Equal(t, strconv.Itoa(len(docs)), total)
		return ids(docs)
	}
	t.Run("DateAsISOString", func(t *testing.T) {
		require.Len(t, q(`{"_lastInform":{"$gt":"2026-11-27T09:59:00Z"}}`), 6)
		require.Equal(t, []string{zte[0]}, q(`{"_lastInform":{"$gt":"2026-11-27T10:30:00.000Z"}}`))
	})
	t.Run("DateAsHumanString", func(t *testing.T) {
		require.Equal(t, []string{zte[0]}, q(`{"_lastInform":{"$gte":"2026-11-27 10:30:00 +0000"}}`))
	})
	t.Run("EpochMillisNeverMatchesADate", func(t *testing.T) {
		require.Empty(t, q(`{"_lastInform":{"$gt":1795740822000}}`))
		require.Empty(t, q(`{"_lastInform":{"$lt":99999999999999}}`))
	})
	t.Run("NumericParameterAsString", func(t *testing.T) {
		want := append(append([]string{}, huawei...), zte...)
		sort.Strings(want)
		require.Equal(t, want, q(`{"InternetGatewayDevice.ManagementServer.PeriodicInformInterval":"300"}`))
		require.Equal(t, want, q(`{"InternetGatewayDevice.ManagementServer.PeriodicInformInterval":{"$gte":300}}`))
		require.Empty(t, q(`{"InternetGatewayDevice.ManagementServer.PeriodicInformInterval":{"$gt":"300"}}`))
		require.Equal(t, tplink, q(`{"Device.ManagementServer.PeriodicInformInterval._value":300}`))
	})
	t.Run("Wildcard", func(t *testing.T) {
		require.Equal(t, huawei, q(`{"_deviceId._SerialNumber":"48575443*"}`))
		require.Equal(t, tplink, q(`{"_id":"*Archer*"}`))
	})
	t.Run("SlashRegexWithFlags", func(t *testing.T) {
		require.Equal(t, zte, q(`{"_deviceId._SerialNumber":"/^zteg/i"}`))
	})
	t.Run("RegexOperatorAndOr", func(t *testing.T) {
		got := q(`{"$or":[{"_id":{"$regex":"^344B50"}},{"_tags":"sub:alice"}]}`)
		want := append([]string{huawei[0]}, zte...)
		sort.Strings(want)
		require.Equal(t, want, got)
	})
	t.Run("TagsMembershipAndIn", func(t *testing.T) {
		require.Equal(t, []string{huawei[0]}, q(`{"_tags":"sub:alice"}`))
		got := q(`{"_tags":{"$in":["sub:alice","plan:home-10","nope"]}}`)
		require.ElementsMatch(t, []string{huawei[0], zte[1]}, got)
	})
	t.Run("Exists", func(t *testing.T) {
		require.Len(t, q(`{"_tags":{"$exists":false}}`), 4)
		require.Len(t, q(`{"_tags":{"$exists":true}}`), 2)
		require.Equal(t, tplink, q(`{"Device.WiFi.SSID.3.SSID":{"$exists":true}}`))
		require.Equal(t, tplink, q(`{"Device.WiFi.SSID.3.SSID._writable":{"$exists":true}}`), "a refresh reads writability too")
		require.Empty(t, q(`{"Device.WiFi.SSID.4.SSID._value":{"$exists":true}}`), "nothing fetched SSID 4's value")
		require.Empty(t, q(`{"Device.WiFi.Radio.1.Channel":{"$exists":true}}`), "nothing listed Radio")
	})
	t.Run("ParameterValueShorthand", func(t *testing.T) {
		ssid := b.nbi.value(tplink[1], "Device.WiFi.SSID.3.SSID").(string)
		require.Equal(t, []string{tplink[1]}, q(`{"Device.WiFi.SSID.3.SSID":`+jsonString(ssid)+`}`))
		require.Equal(t, []string{tplink[1]}, q(`{"Device.WiFi.SSID.3.SSID._value":`+jsonString(ssid)+`}`))
	})
	t.Run("NeAndNin", func(t *testing.T) {
		require.Len(t, q(`{"_deviceId._OUI":{"$ne":"00259E"}}`), 4)
		require.Len(t, q(`{"_deviceId._OUI":{"$nin":["00259E","344B50"]}}`), 2)
	})
	t.Run("SortSkipLimitAndTotal", func(t *testing.T) {
		docs, total := b.nbi.list("devices", `{}`, "_id,_lastInform", "sort="+url.QueryEscape(`{"_lastInform":-1}`)+"&skip=0&limit=2")
		require.Equal(t, "6", total, "total ignores skip and limit")
		require.Len(t, docs, 2)
		require.Equal(t, zte[0], docs[0]["_id"])
		docs, _ = b.nbi.list("devices", `{}`, "_id", "sort="+url.QueryEscape(`{"_id":-1}`)+"&skip=1&limit=2")
		require.Equal(t, []string{all[4], all[3]}, ids(docs))
	})
	t.Run("SortByParameterGetsValueSuffix", func(t *testing.T) {
		docs, _ := b.nbi.list("devices", `{"_deviceId._OUI":"344B50"}`, "_id,InternetGatewayDevice.DeviceInfo.UpTime",
			"sort="+url.QueryEscape(`{"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID":1}`))
		require.Len(t, docs, 2)
		a := b.nbi.value(ids(docs)[0], "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID").(string)
		c := b.nbi.value(ids(docs)[1], "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID").(string)
		require.LessOrEqual(t, a, c)
	})
	t.Run("Projection", func(t *testing.T) {
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(huawei[1])+`}`,
			"_deviceId._SerialNumber,InternetGatewayDevice.DeviceInfo,InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID._value,InternetGatewayDevice.Nope.X")
		require.Len(t, docs, 1)
		d := docs[0]
		require.Equal(t, huawei[1], d["_id"], "_id is always included")
		require.Equal(t, map[string]any{"_SerialNumber": b.sim.byID[huawei[1]].serial}, d["_deviceId"])
		igd := d["InternetGatewayDevice"].(map[string]any)
		info := igd["DeviceInfo"].(map[string]any)
		require.Contains(t, info, "UpTime", "a prefix returns the subtree")
		require.Contains(t, info, "X_HW_CpuUsed")
		ssid := igd["LANDevice"].(map[string]any)["1"].(map[string]any)["WLANConfiguration"].(map[string]any)["5"].(map[string]any)["SSID"]
		require.Equal(t, []string{"_value"}, keys(ssid.(map[string]any)), "an attribute path returns only that attribute")
		require.NotContains(t, igd, "Nope")
		require.NotContains(t, d, "_lastInform")
	})
	t.Run("HeadCountsWithoutBody", func(t *testing.T) {
		r := b.nbi.must(http.MethodHead, "/devices/?query="+url.QueryEscape(`{"_deviceId._OUI":"50C7BF"}`), "")
		require.Equal(t, "200 OK", r.status)
		require.Equal(t, "2", r.header.Get("total"))
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		require.Empty(t, r.body)
	})
	t.Run("BadJSONIs400SyntaxError", func(t *testing.T) {
		r := b.nbi.must(http.MethodGet, "/devices/?query="+url.QueryEscape(`{"_id":`), "")
		require.Equal(t, "400 Bad Request", r.status)
		require.Equal(t, "SyntaxError: Unexpected end of JSON input", string(r.body))
		require.Empty(t, r.header.Get("Content-Type"))
		r = b.nbi.must(http.MethodGet, "/devices/?sort="+url.QueryEscape(`{x`), "")
		require.Equal(t, "SyntaxError: Expected property name or '}' in JSON at position 1", string(r.body))
	})
	t.Run("MixingNeWithOtherOperatorsDropsTheConnection", func(t *testing.T) {
		_, err := b.nbi.do(http.MethodGet, "/devices/?query="+url.QueryEscape(`{"X.Y":{"$ne":"1","$gt":"0"}}`), "")
		require.Error(t, err)
	})
	t.Run("EmptyListFraming", func(t *testing.T) {
		r := b.nbi.must(http.MethodGet, "/devices/?query="+url.QueryEscape(`{"_id":"none"}`), "")
		require.Equal(t, "[\n\n]", string(r.body))
		require.Equal(t, "0", r.header.Get("total"))
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestKeysetPaging10k(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{opts: Options{Devices: 10_000, Seed: 11}})
	var last string
	var got []string
	for page := 0; ; page++ {
		q := `{}`
		if last != "" {
			q = `{"_id":{"$gt":` + jsonString(last) + `}}`
		}
		docs, total := b.nbi.list("devices", q, "_id,_lastInform,_deviceId._SerialNumber",
			"sort="+url.QueryEscape(`{"_id":1}`)+"&limit=1000")
		require.Equal(t, strconv.Itoa(10_000-1000*page), total, "total counts the rest of the range")
		if len(docs) == 0 {
			break
		}
		require.LessOrEqual(t, len(docs), 1000)
		for _, d := range docs {
			require.Contains(t, d, "_lastInform")
			got = append(got, d["_id"].(string))
		}
		last = got[len(got)-1]
	}
	require.Equal(t, b.sim.DeviceIDs(), got, "every device exactly once, in _id order")
	t.Run("RangeWithOtherConditionsStillCounts", func(t *testing.T) {
		mid := got[5000]
		docs, total := b.nbi.list("devices", `{"_id":{"$gte":`+jsonString(mid)+`},"_deviceId._OUI":"344B50"}`, "_id", "limit=5")
		n := 0
		for _, id := range got[5000:] {
			if strings.HasPrefix(id, "344B50-") {
				n++
			}
		}
		require.Equal(t, strconv.Itoa(n), total)
		require.Len(t, docs, 5)
	})
}
