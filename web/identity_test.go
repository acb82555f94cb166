package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// TestIdentityConflictAtIdentify is the penetration test's case: a CPE
// reporting the serial of an assigned device with another OUI, product
// class, manufacturer and GenieACS id. It gets the organization's tag and
// no secrets, the stored identity stays, and the conflict is shown and
// resolved through the API and the pages.
func TestIdentityConflictAtIdentify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sub := testfactory.Subscriber(ctx, t, b.pool, b.box, b.orgA, &testfactory.SubscriberOpts{
		Username: testfactory.Ptr("amina"), PPPoEPassword: testfactory.Ptr("amina-ppp-secret")})
	dev := testfactory.Device(ctx, t, b.pool, &b.orgA, "ZTEGC0FFEE12", &sub)
	testfactory.DesiredWiFi(ctx, t, b.pool, b.box, dev, "2.4GHz", "Amina Home", "amina-wifi-secret")
	const real = `{"serial":"ZTEGC0FFEE12","oui":"344B50","productClass":"F660","manufacturer":"ZTE","deviceId":"344B50-F660-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
	const impostor = `{"serial":"ZTEGC0FFEE12","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei","deviceId":"00259E-HG8245H-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
	r := b.identify(t, internalKey, real)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Contains(t, r.raw, "amina-ppp-secret")

	r = b.identify(t, internalKey, impostor)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "conflict", r.body["status"])
	require.Equal(t, []any{"org:" + b.orgA.Slug}, r.body["tags"])
	require.NotContains(t, r.raw, "amina-ppp-secret")
	require.NotContains(t, r.raw, "amina-wifi-secret")
	require.Nil(t, r.body["pppoe"])

	path := "/cpe/devices/" + dev.String()
	r = b.api(t, http.MethodGet, path, b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "344B50", r.body["oui"], "the stored identity is not overwritten")
	require.Equal(t, "344B50-F660-ZTEGC0FFEE12", r.body["genieacsId"])
	conflicts := r.body["identityConflicts"].([]any)
	require.Len(t, conflicts, 1)
	cid := conflicts[0].(map[string]any)["id"].(string)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_conflict' AND target_id = $1`, dev.String()))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.identity_conflict' AND org_id = $1`, b.orgA.ID))

	r = b.api(t, http.MethodGet, "/cpe/identity-conflicts", b.keyViewerA, "")
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 1, r.body["total"])
	r = b.api(t, http.MethodGet, "/cpe/identity-conflicts", b.keyB, "")
	require.EqualValues(t, 0, r.body["total"], "another organization sees none")
	r = b.api(t, http.MethodGet, "/cpe/identity-conflicts?limit=501", b.keyViewerA, "")
	requireInvalid(t, r, "limit", "must be a number between 1 and 500")

	accept := path + "/identity-conflicts/" + cid + "/accept"
	t.Run("APIRefusals", func(t *testing.T) {
		r := b.api(t, http.MethodPost, accept, b.keyViewerA, "")
		require.Equal(t, http.StatusForbidden, r.status, "a viewer cannot resolve")
		foreign := b.api(t, http.MethodPost, accept, b.keyB, "")
		random := b.api(t, http.MethodPost, path+"/identity-conflicts/00000000-0000-0000-0000-000000000001/accept", b.keyA, "")
		require.Equal(t, http.StatusNotFound, foreign.status)
		require.Equal(t, random.raw, foreign.raw, "another organization's device answers as an unknown one")
		require.Equal(t, http.StatusNotFound, b.api(t, http.MethodPost, path+"/identity-conflicts/x/accept", b.keyA, "").status)
	})
	t.Run("Pages", func(t *testing.T) {
		tech := b.loggedIn(t, b.techA)
		p := tech.get("/devices/" + dev.String())
		require.Equal(t, http.StatusOK, p.status)
		require.Contains(t, p.testid("identity-conflict").Text(), "OUI 344B50 → 00259E")
		require.Zero(t, p.testid("identity-accept").Length(), "technicians see no accept")
		require.Equal(t, http.StatusForbidden, tech.post(accept[len("/cpe"):], nil).status)

		owner := b.loggedIn(t, b.ownerA)
		p = owner.get("/admin/system")
		require.Equal(t, "1", p.testid("conflict-count").Text())
		require.Contains(t, p.testid("conflict-row").Text(), "ZTEGC0FFEE12")

		p = owner.get("/devices/" + dev.String())
		require.Equal(t, 1, p.testid("identity-accept").Length())
		p = owner.post("/devices/"+dev.String()+"/identity-conflicts/"+cid+"/reject", url.Values{})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		p = owner.get("/devices/" + dev.String())
		require.Zero(t, p.testid("identity-conflict").Length(), "resolved conflicts leave the page")
		require.Contains(t, p.body, "Rejected the identity 00259E HG8245H")
	})
	r = b.api(t, http.MethodPost, accept, b.keyA, "")
	require.Equal(t, http.StatusConflict, r.status, "already rejected")
	require.Equal(t, "conflict_resolved", r.errCode())
	r = b.identify(t, internalKey, impostor)
	require.Equal(t, []any{}, r.body["tags"], "a rejected identity gets nothing")

	t.Run("AcceptSwap", func(t *testing.T) {
		const rma = `{"serial":"ZTEGC0FFEE12","oui":"344B50","productClass":"F670L","manufacturer":"ZTE","deviceId":"344B50-F670L-ZTEGC0FFEE12","root":"InternetGatewayDevice"}`
		require.Equal(t, "conflict", b.identify(t, internalKey, rma).body["status"])
		r := b.api(t, http.MethodGet, "/cpe/identity-conflicts", b.keyA, "")
		cid := r.items()[0].(map[string]any)["id"].(string)
		r = b.api(t, http.MethodPost, path+"/identity-conflicts/"+cid+"/accept", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Equal(t, "accepted", r.body["status"])
		r = b.identify(t, internalKey, rma)
		require.Equal(t, "assigned", r.body["status"])
		require.Contains(t, r.raw, "amina-ppp-secret")
		require.Equal(t, 1, b.count(t, `SELECT count(*) FROM audit_log WHERE action = 'cpe.identity_accepted' AND actor_type = $1`, string(actor.KindAPIKey)))
	})
}
