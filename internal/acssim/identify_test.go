package acssim

import (
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIdentify(t *testing.T) {
	t.Run("RequestCarriesTheReportedIdentity", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		id, err := b.sim.AddDevice(ProfileHuaweiHG8245H, "48575443E204802C")
		require.NoError(t, err)
		require.Equal(t, "00259E-HG8245H-48575443E204802C", id)
		require.NoError(t, b.sim.Inform(b.ctx, id, "0 BOOTSTRAP,1 BOOT"))
		require.Equal(t, 1, b.ident.count())
		c := b.ident.last()
		require.Equal(t, "k3y", c.key)
		require.Equal(t, "application/json", c.ct)
		require.Equal(t, map[string]any{
			"serial": "48575443E204802C", "oui": "00259E", "productClass": "HG8245H",
			"manufacturer": "Huawei Technologies Co., Ltd", "deviceId": id, "root": "InternetGatewayDevice",
		}, c.body)
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Equal(t, 1, b.ident.count(), "only a bootstrap identifies")
		require.Equal(t, int64(1), b.sim.Stats().IdentifyOK)
	})

	t.Run("AnswerIsAppliedTR098", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.set(http.StatusOK, `{"deviceId":"x","status":"assigned","tags":["org:acme","sub:alice","plan:home-10"],
			"pppoe":{"username":"alice","password":"s3cret"},
			"wifi":[{"band":"2.4GHz","ssid":"Home","password":"wifi-pass-1"},{"band":"5GHz","ssid":"Home-5G","password":"wifi-pass-1"}],
			"periodicInformInterval":600,"somethingNew":{"x":1}}`, 0)
		id, err := b.sim.AddDevice(ProfileHuaweiHG8245H, "")
		require.NoError(t, err)
		b.sim.mu.Lock()
		b.sim.byID[id].tags = []string{"sub:bob", "keep-me"} // left from an earlier life
		b.sim.mu.Unlock()
		require.NoError(t, b.sim.Inform(b.ctx, id))

		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
		tags := docs[0]["_tags"].([]any)
		var got []string
		for _, tg := range tags {
			got = append(got, tg.(string))
		}
		sort.Strings(got)
		require.Equal(t, []string{"keep-me", "org:acme", "plan:home-10", "sub:alice"}, got)

		ppp := b.sim.byID[id].tpl.lp
		require.Equal(t, "alice", b.nbi.value(id, ppp.pppUser))
		require.Equal(t, "", b.nbi.value(id, ppp.pppPass), "a password reads back empty")
		require.Equal(t, true, b.nbi.value(id, ppp.pppEnable))
		pppObj := ppp.pppUser[:len(ppp.pppUser)-len(".Username")]
		require.Equal(t, "Connected", b.nbi.value(id, pppObj+".ConnectionStatus"))
		require.Regexp(t, `^100\.`, b.nbi.value(id, pppObj+".ExternalIPAddress"))
		require.Equal(t, "Home", b.nbi.value(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID"))
		require.Equal(t, "Home-5G", b.nbi.value(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.SSID"))
		require.Equal(t, "", b.nbi.value(id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey"))
		require.Equal(t, float64(600), b.nbi.value(id, hwInterval))
		w, ok := b.nbi.param(id, ppp.pppPass, "_writable")
		require.True(t, ok)
		require.Equal(t, true, w)
		key := mustResolve(t, b.sim, id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey")
		require.Equal(t, "wifi-pass-1", b.sim.rawValue(b.sim.byID[id], key))
	})

	t.Run("AnswerIsAppliedTR181", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.set(http.StatusOK, `{"tags":["org:acme"],"pppoe":{"username":"bob","password":"pw"},
			"wifi":[{"band":"5GHz","ssid":"Bob-5G","password":"longenough"}],"periodicInformInterval":300}`, 0)
		id := b.addDevice(t, ProfileTPLinkAX10)
		require.Equal(t, "50C7BF-Archer%20AX10-", id[:len("50C7BF-Archer%20AX10-")])
		require.Equal(t, "Device", b.ident.last().body["root"])
		require.Equal(t, "bob", b.nbi.value(id, "Device.PPP.Interface.1.Username"))
		require.Equal(t, "Up", b.nbi.value(id, "Device.PPP.Interface.1.Status"))
		require.Equal(t, "Bob-5G", b.nbi.value(id, "Device.WiFi.SSID.3.SSID"))
		require.NotEqual(t, "Bob-5G", b.nbi.value(id, "Device.WiFi.SSID.1.SSID"))
		require.Equal(t, "", b.nbi.value(id, "Device.WiFi.AccessPoint.3.Security.KeyPassphrase"))
	})

	t.Run("NullAndMissingConfigAreFine", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.set(http.StatusOK, `{"deviceId":"x","status":"pending","tags":["org:acme"],"pppoe":null,"wifi":[]}`, 0)
		id := b.addDevice(t, ProfileZTEF660)
		require.Equal(t, "Unconfigured", b.nbi.value(id, "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ConnectionStatus"))
		_, total := b.nbi.list("faults", "", "", "")
		require.Equal(t, "0", total)
	})

	t.Run("ErrorAnswerFaultsAndRetriesUntilItSucceeds", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.set(http.StatusInternalServerError, `{"error":"boom"}`, 0)
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		faults, _ := b.nbi.list("faults", `{"_id":`+jsonString(id+":fyberpay-bootstrap")+`}`, "", "")
		require.Len(t, faults, 1)
		f := faults[0]
		require.Equal(t, "fyberpay-bootstrap", f["channel"])
		require.Equal(t, "ext.Error", f["code"])
		require.Equal(t, "Unexpected status code 500", f["message"])
		require.Equal(t, map[string]any{"name": "Error", "message": "Unexpected status code 500", "stack": ""}, f["detail"])
		require.Equal(t, float64(0), f["retries"])
		require.Equal(t, `[["fyberpay-bootstrap"]]`, f["provisions"])

		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Equal(t, 2, b.ident.count(), "the next inform retries")
		faults, _ = b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Equal(t, float64(1), faults[0]["retries"])

		b.ident.set(http.StatusOK, `{"tags":["org:acme"]}`, 0)
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		_, total := b.nbi.list("faults", "", "", "")
		require.Equal(t, "0", total, "success clears the fault")
		require.NoError(t, b.sim.Inform(b.ctx, id, "2 PERIODIC"))
		require.Equal(t, 3, b.ident.count(), "and ends the retries")
		st := b.sim.Stats()
		require.Equal(t, int64(2), st.IdentifyFailed)
		require.Equal(t, int64(1), st.IdentifyOK)
	})

	t.Run("SlowAnswerIsAnExtensionTimeout", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true, opts: Options{IdentifyTimeout: 80 * time.Millisecond}})
		b.ident.set(http.StatusOK, `{"tags":[]}`, 500*time.Millisecond)
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Len(t, faults, 1)
		require.Equal(t, "timeout", faults[0]["code"])
		require.Equal(t, "Extension timed out", faults[0]["message"])
		require.NotContains(t, faults[0], "detail")
	})

	t.Run("UnreachableEndpointIsExtError", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.srv.Close()
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Len(t, faults, 1)
		require.Equal(t, "ext.Error", faults[0]["code"])
		require.Contains(t, faults[0]["message"], "refused")
	})

	t.Run("InvalidConfigFaultsWithTheCPECode", func(t *testing.T) {
		b := setup(t, setupOpts{identify: true})
		b.ident.set(http.StatusOK, `{"wifi":[{"band":"2.4GHz","ssid":"Home","password":"short"}]}`, 0)
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(id)+`}`, "", "")
		require.Len(t, faults, 1)
		require.Equal(t, "cwmp.9007", faults[0]["code"])
		require.Equal(t, "fyberpay-bootstrap", faults[0]["channel"])
	})
}
