package page_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestProvisionsPages(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	br := b.LoggedIn(t, b.AdminA)
	p := br.Get("/provisions")
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("no-provisions").Length())

	// A syntax error: the message names line and column, the listing marks
	// the line, the script is kept.
	bad := "const a = 1;\nconst b = ;\nlog('x');"
	p = br.Post("/provisions", url.Values{"name": {"dns"}, "script": {bad}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Contains(t, p.TestID("error-script").Text(), "line 2, column")
	require.Contains(t, p.TestID("provision-error-line").Text(), "const b = ;")
	require.Equal(t, bad, p.TestID("provision-script").Text())

	good := "declare('Device.DNS.Client.Server.1.DNSServer', {value: 1}, {value: '1.1.1.1'});"
	p = br.Post("/provisions", url.Values{"name": {"dns"}, "script": {good}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = br.Get("/provisions/dns")
	require.Contains(t, p.TestID("flash").Text(), "Saved dns")
	require.Contains(t, p.TestID("provision-warning").Text(), "none of your devices has Device.DNS.Client.Server.1.DNSServer",
		"a warning beside the editor; saved all the same")
	p = br.Post("/provisions/dns", url.Values{"script": {good + "\nlog('v2');"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = br.Get("/provisions/dns")
	require.Equal(t, 2, p.TestID("version-row").Length())
	got, _ := b.Sim.Provision("acme-dns")
	require.Contains(t, got, "log('v2')")

	p = br.Get("/provisions/dns?diff=2")
	require.Contains(t, p.TestID("diff").Find(".add").Text(), "+log('v2');", "version 2's change against version 1")
	require.Equal(t, http.StatusBadRequest, br.Get("/provisions/dns?diff=x").Status)
	require.Equal(t, http.StatusNotFound, br.Get("/provisions/dns?diff=9").Status)

	p = br.Post("/provisions/dns/binding", url.Values{"enabled": {"true"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status, "no event chosen")
	require.NotEmpty(t, p.TestID("error-events").Text())
	p = br.Post("/provisions/dns/binding", url.Values{"enabled": {"true"}, "events": {"2 PERIODIC"}, "weight": {"3"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	_, bound := b.Sim.Preset("acme-dns")
	require.True(t, bound)

	p = br.Post("/provisions/dns/revert", url.Values{"version": {"1"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	got, _ = b.Sim.Provision("acme-dns")
	require.Equal(t, good, got)
	p = br.Get("/provisions")
	require.Contains(t, p.TestID("provision-row").Text(), "2 PERIODIC")

	// A technician and a viewer read it, and cannot write; beta cannot see it.
	for _, u := range []user.User{b.TechA, b.ViewerA} {
		vb := b.LoggedIn(t, u)
		p = vb.Get("/provisions/dns")
		require.Equal(t, http.StatusOK, p.Status)
		_, ro := p.TestID("provision-script").Attr("readonly")
		require.True(t, ro, "read-only")
		require.Equal(t, 0, p.TestID("provision-save").Length())
		require.Equal(t, http.StatusForbidden, vb.Post("/provisions/dns", url.Values{"script": {"log(1);"}}).Status)
		require.Equal(t, http.StatusForbidden, vb.Post("/provisions/dns/delete", nil).Status)
	}
	ob := b.LoggedIn(t, b.AdminB)
	require.Equal(t, http.StatusNotFound, ob.Get("/provisions/dns").Status)
	require.Equal(t, http.StatusNotFound, ob.Post("/provisions/dns/delete", nil).Status)

	p = br.Post("/provisions/dns/delete", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	_, ok := b.Sim.Provision("acme-dns")
	require.False(t, ok)
	_, bound = b.Sim.Preset("acme-dns")
	require.False(t, bound, "its preset went with it")
}

// "Try on one device" from the page: a script that throws shows GenieACS's
// fault text and leaves nothing bound; an unknown serial is refused.
func TestProvisionTryPage(t *testing.T) {
	t.Parallel()
	b := webtest.SetupWithSim(t, 1)
	_, gid := b.QuietSimDevice(t, b.OrgA, acssim.ProfileTPLinkAX10)
	serial := gid[strings.LastIndexByte(gid, '-')+1:]
	br := b.LoggedIn(t, b.AdminA)
	br.Get("/provisions")
	p := br.Post("/provisions", url.Values{"name": {"boom"}, "script": {"throw new Error('boom at the CPE');"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	br.Get("/provisions/boom")
	p = br.Post("/provisions/boom/try", url.Values{"serial": {serial}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	require.Contains(t, p.TestID("try-fault").Text(), "script.Error")
	require.Contains(t, p.TestID("try-fault").Text(), "boom at the CPE")
	presets, err := b.ACS.Presets(context.Background())
	require.NoError(t, err)
	for _, pr := range presets {
		require.NotContains(t, pr.ID, "boom")
		require.NotContains(t, pr.ID, "try")
	}
	p = br.Post("/provisions/boom/try", url.Values{"serial": {"NOSUCHSERIAL"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.NotEmpty(t, p.TestID("error-device").Text())
	vb := b.LoggedIn(t, b.TechA)
	require.Equal(t, http.StatusForbidden, vb.Post("/provisions/boom/try", url.Values{"serial": {serial}}).Status)
}
