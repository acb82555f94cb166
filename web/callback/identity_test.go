package callback_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestIdentityConflictAtIdentify is the penetration test's case: a CPE
// reporting the serial of an assigned device with another OUI, product
// class, manufacturer and GenieACS id. It gets the organization's tag and
// no secrets, the stored identity stays, and the conflict is shown and
// resolved through the API and the pages.
func TestIdentityConflictAtIdentify(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	sub := testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{
		Username: testfactory.Ptr("amina"), PPPoEPassword: testfactory.Ptr("amina-ppp-secret")})
	dev := testfactory.Device(ctx, t, b.Pool, &b.OrgA, "ZTEGC0FFEE12", &sub)
	testfactory.DesiredWiFi(ctx, t, b.Pool, b.Box, dev, "2.4GHz", "Amina Home", "amina-wifi-secret")
	const real = `{"serial":"ZTEGC0FFEE12","oui":"344B50","productClass":"F660","manufacturer":"ZTE","deviceId":"344B50-F660-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
	const impostor = `{"serial":"ZTEGC0FFEE12","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei","deviceId":"00259E-HG8245H-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
	r := b.Identify(t, webtest.InternalKey, real)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Contains(t, r.Raw, "amina-ppp-secret")

	r = b.Identify(t, webtest.InternalKey, impostor)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "conflict", r.Body["status"])
	require.Equal(t, []any{"org:" + b.OrgA.Slug}, r.Body["tags"])
	require.NotContains(t, r.Raw, "amina-ppp-secret")
	require.NotContains(t, r.Raw, "amina-wifi-secret")
	require.Nil(t, r.Body["pppoe"])

	path := "/cpe/devices/" + dev.String()
	r = b.API(t, http.MethodGet, path, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "344B50", r.Body["oui"], "the stored identity is not overwritten")
	require.Equal(t, "344B50-F660-ZTEGC0FFEE12", r.Body["genieacsId"])
	conflicts := r.Body["identityConflicts"].([]any)
	require.Len(t, conflicts, 1)
	cid := conflicts[0].(map[string]any)["id"].(string)
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_conflict' AND target_id = $1`, dev.String()))
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.identity_conflict' AND org_id = $1`, b.OrgA.ID))

	r = b.API(t, http.MethodGet, "/cpe/identity-conflicts", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.EqualValues(t, 1, r.Body["total"])
	r = b.API(t, http.MethodGet, "/cpe/identity-conflicts", b.KeyB, "")
	require.EqualValues(t, 0, r.Body["total"], "another organization sees none")
	r = b.API(t, http.MethodGet, "/cpe/identity-conflicts?limit=501", b.KeyViewerA, "")
	webtest.RequireInvalid(t, r, "limit", "must be a number between 1 and 500")

	accept := path + "/identity-conflicts/" + cid + "/accept"
	t.Run("APIRefusals", func(t *testing.T) {
		r := b.API(t, http.MethodPost, accept, b.KeyViewerA, "")
		require.Equal(t, http.StatusForbidden, r.Status, "a viewer cannot resolve")
		foreign := b.API(t, http.MethodPost, accept, b.KeyB, "")
		random := b.API(t, http.MethodPost, path+"/identity-conflicts/00000000-0000-0000-0000-000000000001/accept", b.KeyA, "")
		require.Equal(t, http.StatusNotFound, foreign.Status)
		require.Equal(t, random.Raw, foreign.Raw, "another organization's device answers as an unknown one")
		require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPost, path+"/identity-conflicts/x/accept", b.KeyA, "").Status)
	})
	t.Run("Pages", func(t *testing.T) {
		tech := b.LoggedIn(t, b.TechA)
		p := tech.Get("/devices/" + dev.String())
		require.Equal(t, http.StatusOK, p.Status)
		require.Contains(t, p.TestID("identity-conflict").Text(), "OUI 344B50 → 00259E")
		require.Zero(t, p.TestID("identity-accept").Length(), "technicians see no accept")
		require.Equal(t, http.StatusForbidden, tech.Post(accept[len("/cpe"):], nil).Status)

		owner := b.LoggedIn(t, b.OwnerA)
		p = owner.Get("/admin/system")
		require.Equal(t, "1", p.TestID("conflict-count").Text())
		require.Contains(t, p.TestID("conflict-row").Text(), "ZTEGC0FFEE12")

		p = owner.Get("/devices/" + dev.String())
		require.Equal(t, 1, p.TestID("identity-accept").Length())
		p = owner.Post("/devices/"+dev.String()+"/identity-conflicts/"+cid+"/reject", url.Values{})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		p = owner.Get("/devices/" + dev.String())
		require.Zero(t, p.TestID("identity-conflict").Length(), "resolved conflicts leave the page")
		require.Contains(t, p.Body, "Rejected the identity 00259E HG8245H")
	})
	r = b.API(t, http.MethodPost, accept, b.KeyA, "")
	require.Equal(t, http.StatusConflict, r.Status, "already rejected")
	require.Equal(t, "conflict_resolved", r.ErrCode())
	r = b.Identify(t, webtest.InternalKey, impostor)
	require.Equal(t, []any{}, r.Body["tags"], "a rejected identity gets nothing")

	t.Run("AcceptSwap", func(t *testing.T) {
		const rma = `{"serial":"ZTEGC0FFEE12","oui":"344B50","productClass":"F670L","manufacturer":"ZTE","deviceId":"344B50-F670L-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
		require.Equal(t, "conflict", b.Identify(t, webtest.InternalKey, rma).Body["status"])
		r := b.API(t, http.MethodGet, "/cpe/identity-conflicts", b.KeyA, "")
		cid := r.Items()[0].(map[string]any)["id"].(string)
		r = b.API(t, http.MethodPost, path+"/identity-conflicts/"+cid+"/accept", b.KeyA, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Equal(t, "accepted", r.Body["status"])
		r = b.Identify(t, webtest.InternalKey, rma)
		require.Equal(t, "assigned", r.Body["status"])
		require.Contains(t, r.Raw, "amina-ppp-secret")
		require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_accepted' AND actor_type = $1`, string(actor.KindAPIKey)))
	})
}
