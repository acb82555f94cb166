package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestDevicesAPI(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()
	testfactory.Subscriber(ctx, t, b.Pool, b.Box, b.OrgA, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice"), PlanGroup: testfactory.Ptr("home")})
	pending := b.Device(t, "HWTC0000D0D0", true)

	r := b.API(t, http.MethodPost, "/cpe/devices", b.KeyA, `{"serial":"48575443000000E1","model":"HG8245H","subscriber":"alice"}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	id := r.Body["id"].(string)
	require.Equal(t, "HWTC000000E1", r.Body["serial"])
	r = b.API(t, http.MethodPost, "/cpe/devices", b.KeyA, `{"serial":"!","bogus":1}`)
	require.Equal(t, http.StatusBadRequest, r.Status)
	r = b.API(t, http.MethodPost, "/cpe/devices", b.KeyA, `{"serial":"!"}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.ErrFields(), "serial")

	r = b.API(t, http.MethodGet, "/cpe/devices?serial=HWTC", b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Items(), 1)
	r = b.API(t, http.MethodGet, "/cpe/devices?limit=x", b.KeyA, "")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)

	r = b.API(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.KeyA, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusAccepted, r.Status)
	require.Equal(t, "pending", r.Body["pushState"])
	r = b.API(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.KeyViewerA, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusForbidden, r.Status)
	r = b.API(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.KeyB, `{"subscriber":"alice"}`)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/"+id, b.KeyB, "").Status)
	r = b.API(t, http.MethodGet, "/cpe/devices/"+id, b.KeyViewerA, "")
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "HWTC000000E1", r.Body["serial"])
	require.Equal(t, "alice", r.Body["subscriber"])
	recent := r.Body["recentActions"].([]any)
	require.Len(t, recent, 2, "added to the inventory, then assigned")
	require.Equal(t, "cpe.assign", recent[0].(map[string]any)["action"], "newest first")
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodGet, "/cpe/devices/not-a-uuid", b.KeyA, "").Status)

	// alice on a second device: 409 naming the first; move: true moves her.
	r = b.API(t, http.MethodPost, "/cpe/devices", b.KeyA, `{"serial":"48575443000000E2","model":"HG8245H"}`)
	require.Equal(t, http.StatusCreated, r.Status, r.Raw)
	second := r.Body["id"].(string)
	r = b.API(t, http.MethodPost, "/cpe/devices/"+second+"/assign-subscriber", b.KeyA, `{"subscriber":"ALICE"}`)
	require.Equal(t, http.StatusConflict, r.Status, r.Raw)
	require.Equal(t, "assigned_elsewhere", r.ErrCode())
	require.Contains(t, r.Raw, "alice is already on device HWTC000000E1")
	r = b.API(t, http.MethodPost, "/cpe/devices/"+second+"/assign-subscriber", b.KeyA, `{"subscriber":"alice","move":true}`)
	require.Equal(t, http.StatusAccepted, r.Status, r.Raw)
	require.Equal(t, "alice", r.Body["subscriber"])
	r = b.API(t, http.MethodGet, "/cpe/devices/"+id, b.KeyA, "")
	require.Empty(t, r.Body["subscriber"], "moved off the first device")
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM cpe_devices WHERE subscriber_id IS NOT NULL`))
	r = b.API(t, http.MethodPost, "/cpe/devices/"+id+"/assign-subscriber", b.KeyA, `{"subscriber":"alice","move":true}`)
	require.Equal(t, http.StatusAccepted, r.Status, "and back")
	require.Equal(t, id, b.API(t, http.MethodGet, "/cpe/devices?subscriber=alice", b.KeyA, "").Items()[0].(map[string]any)["id"])

	r = b.API(t, http.MethodGet, "/cpe/pending", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Items(), 1)
	require.Equal(t, 1.0, r.Body["total"])
	r = b.API(t, http.MethodGet, "/cpe/pending?serial=NOPE", b.KeyA, "")
	require.Empty(t, r.Items())
	require.Equal(t, 0.0, r.Body["total"])
	require.Equal(t, http.StatusForbidden, b.API(t, http.MethodGet, "/cpe/pending", b.KeyViewerA, "").Status)
	r = b.API(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	r = b.API(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.KeyB, "")
	require.Equal(t, http.StatusNotFound, r.Status, "another organization's device answers like an unknown id")
	require.Equal(t, b.API(t, http.MethodPost, "/cpe/pending/"+uuid.NewString()+"/claim", b.KeyB, "").Raw, r.Raw)
	r = b.API(t, http.MethodPost, "/cpe/pending/"+pending.String()+"/claim", b.KeyA, "")
	require.Equal(t, http.StatusConflict, r.Status, "a second claim in the same organization")
	require.Equal(t, "already_claimed", r.ErrCode())

	req, _ := http.NewRequest(http.MethodPost, b.Srv.URL+"/cpe/devices/import?filename=api.csv", strings.NewReader("serial\nHWTC0000F001\nHWTC0000F002\n"))
	req.Header.Set("Authorization", "Bearer "+b.KeyA)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var importID string
	require.NoError(t, b.Pool.QueryRow(ctx, `SELECT id::text FROM cpe_imports WHERE filename = 'api.csv'`).Scan(&importID))
	require.Equal(t, http.StatusNotFound, b.API(t, http.MethodPost, "/cpe/imports/"+importID+"/commit", b.KeyB, "").Status)
	r = b.API(t, http.MethodPost, "/cpe/imports/"+importID+"/commit", b.KeyA, "")
	require.Equal(t, http.StatusOK, r.Status)
	require.EqualValues(t, 2, r.Body["added"])
}
