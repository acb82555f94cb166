package action_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// TestTreeBrowsesWhatGenieACSHolds: a device's tree one level at a time as
// GenieACS holds it (after a periodic inform the health provision has
// fetched part of it): objects and values in instance order, values with
// type and timestamp, secrets never shown; bad paths are a 422 naming the
// field; another organization's device is not found.
func TestTreeBrowsesWhatGenieACSHolds(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	viewer := b.as(t, actor.RoleViewer)
	id, gid := b.owned(t, "HG8245H", 0)
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	// Have GenieACS read the whole Wi-Fi configuration (as a Wi-Fi change does).
	_, err := b.svc.SetWiFi(ctx, b.as(t, actor.RoleTechnician), id, action.WiFiInput{SSID: "Tree-Home", Password: "tree-pass-123", Band: action.Band24})
	require.NoError(t, err)

	root, err := b.svc.Tree(ctx, viewer, id, "")
	require.NoError(t, err)
	require.Equal(t, "InternetGatewayDevice", root.Path)
	names := map[string]action.Node{}
	for _, n := range root.Nodes {
		names[n.Name] = n
	}
	require.True(t, names["DeviceInfo"].Object)
	require.True(t, names["LANDevice"].Object)

	require.Eventually(t, func() bool {
		w, err := b.svc.Tree(ctx, viewer, id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1")
		require.NoError(t, err)
		for _, n := range w.Nodes {
			if n.Name == "SSID" && n.Value != nil && *n.Value == "Tree-Home" {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "the SSID node holds the new name")
	w, err := b.svc.Tree(ctx, viewer, id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.")
	require.NoError(t, err, "a trailing dot is forgiven")
	var ssid, psk action.Node
	for _, n := range w.Nodes {
		switch n.Path {
		case "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID":
			ssid = n
		case "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey":
			psk = n
		}
	}
	require.Equal(t, "xsd:string", ssid.Type)
	require.NotNil(t, ssid.Timestamp)
	require.NotNil(t, ssid.Writable)
	require.True(t, psk.Object)
	keys, err := b.svc.Tree(ctx, viewer, id, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1")
	require.NoError(t, err)
	for _, n := range keys.Nodes {
		if n.Name == "PreSharedKey" || n.Name == "KeyPassphrase" {
			require.True(t, n.Secret, n.Path)
			require.Nil(t, n.Value, "a secret's value is never given")
		}
	}
	for i := 1; i < len(root.Nodes); i++ {
		require.Less(t, root.Nodes[i-1].Path, root.Nodes[i].Path, "in order")
	}

	for _, bad := range []string{"InternetGatewayDevice.*.SSID", "Device..X", "Tags.foo", `InternetGatewayDevice.LANDevice.1"}`, "InternetGatewayDevice.[Name:x]"} {
		_, err := b.svc.Tree(ctx, viewer, id, bad)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve, bad)
		require.Contains(t, ve["path"], "must be", bad)
	}
	_, err = b.svc.Tree(ctx, viewer, id, "Device.WiFi")
	var ve validation.Errors
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "must be under InternetGatewayDevice, this device's data model", ve["path"])

	stranger := b.stranger(t)
	_, err = b.svc.Tree(ctx, stranger, id, "")
	require.ErrorIs(t, err, db.ErrNotFound)
}

// TestRefreshTreeReadsTheSubtree: a subtree GenieACS did not hold is read
// from the device (a refreshObject task, done when it ran) and the tree
// then shows it; viewers may not; bad paths are refused before anything
// is sent.
func TestRefreshTreeReadsTheSubtree(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	tech := b.as(t, actor.RoleTechnician)
	id, _ := b.owned(t, "HG8245H", 0)
	const hosts = "InternetGatewayDevice.LANDevice.1.Hosts"
	before, err := b.svc.Tree(ctx, tech, id, hosts)
	require.NoError(t, err)
	require.Empty(t, before.Nodes, "GenieACS has not fetched the hosts table")

	tk, err := b.svc.RefreshTree(ctx, tech, id, hosts)
	require.NoError(t, err)
	tk = b.wait(t, tech, tk.ID, action.StatusDone)
	require.Equal(t, "refresh "+hosts, tk.Summary)
	require.Equal(t, "read "+hosts+" from the device", tk.Message)
	after, err := b.svc.Tree(ctx, tech, id, hosts)
	require.NoError(t, err)
	require.NotEmpty(t, after.Nodes, "now it holds them")

	_, err = b.svc.RefreshTree(ctx, b.as(t, actor.RoleViewer), id, hosts)
	require.ErrorIs(t, err, actor.ErrForbidden)
	tasks := func() (n int) {
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_tasks`).Scan(&n))
		return n
	}
	n := tasks()
	for _, bad := range []string{"", "InternetGatewayDevice.*", "Device.Hosts"} {
		_, err := b.svc.RefreshTree(ctx, tech, id, bad)
		var ve validation.Errors
		require.ErrorAs(t, err, &ve, bad)
		require.NotEmpty(t, ve["path"], bad)
	}
	require.Equal(t, n, tasks(), "nothing recorded")
}

// TestSearchTreeByPathOrValue: a search lists the values GenieACS holds
// whose path or value holds the text, any case; a secret matches only by
// its path and never shows; an empty search is a 422 on q.
func TestSearchTreeByPathOrValue(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	viewer := b.as(t, actor.RoleViewer)
	id, gid := b.owned(t, "HG8245H", 0)
	require.NoError(t, b.sim.Inform(ctx, gid, "2 PERIODIC"))
	sw, err := b.svc.SearchTree(ctx, viewer, id, "deviceinfo.softwareversion")
	require.NoError(t, err)
	require.Len(t, sw.Nodes, 1, "%+v", sw.Nodes)
	require.Equal(t, "InternetGatewayDevice.DeviceInfo.SoftwareVersion", sw.Nodes[0].Path)
	require.NotNil(t, sw.Nodes[0].Value)
	both, err := b.svc.SearchTree(ctx, viewer, id, "softwareversion")
	require.NoError(t, err)
	require.Equal(t, []string{"InternetGatewayDevice.DeviceInfo.AdditionalSoftwareVersion", "InternetGatewayDevice.DeviceInfo.SoftwareVersion"},
		[]string{both.Nodes[0].Path, both.Nodes[1].Path}, "in path order")

	byValue, err := b.svc.SearchTree(ctx, viewer, id, *sw.Nodes[0].Value)
	require.NoError(t, err)
	require.NotEmpty(t, byValue.Nodes)
	found := false
	for _, n := range byValue.Nodes {
		found = found || n.Path == sw.Nodes[0].Path
	}
	require.True(t, found, "found by its value")

	pw, err := b.svc.SearchTree(ctx, viewer, id, "password")
	require.NoError(t, err)
	for _, n := range pw.Nodes {
		if n.Secret {
			require.Nil(t, n.Value, n.Path)
		}
	}
	_, err = b.svc.SearchTree(ctx, viewer, id, "  ")
	var ve validation.Errors
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "is required", ve["q"])
}

// TestAddAndDeleteInstances: owners and admins add an instance to a table
// (GenieACS then knows it) and delete it; a path that is not a table or
// an instance, or an object the device marks read-only, is refused before
// anything is sent; technicians may not.
func TestAddAndDeleteInstances(t *testing.T) {
	t.Parallel()
	b := setup(t, 3)
	ctx := context.Background()
	admin := b.as(t, actor.RoleAdmin)
	id, _ := b.owned(t, "HG8245H", 0)
	const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
	instances := func() []string {
		t.Helper()
		tr, err := b.svc.Tree(ctx, admin, id, table)
		require.NoError(t, err)
		var out []string
		for _, n := range tr.Nodes {
			out = append(out, n.Path)
		}
		return out
	}
	before := instances()

	tk, err := b.svc.AddInstance(ctx, admin, id, table)
	require.NoError(t, err)
	tk = b.wait(t, admin, tk.ID, action.StatusDone)
	require.Equal(t, "add an instance to "+table, tk.Summary)
	require.Equal(t, "added an instance to "+table, tk.Message)
	// GenieACS lists the table's instances before it adds one: it knows
	// the client the table held and the new instance.
	after := instances()
	require.Greater(t, len(after), len(before), "GenieACS knows the new instance")
	added := after[len(after)-1]
	require.Equal(t, table+".2", added)

	tk, err = b.svc.DeleteInstance(ctx, admin, id, added)
	require.NoError(t, err)
	b.wait(t, admin, tk.ID, action.StatusDone)
	require.Equal(t, after[:len(after)-1], instances())

	for _, tc := range []struct {
		add        bool
		path, want string
	}{
		{true, table + ".1", "must be a table's path"},
		{true, "InternetGatewayDevice", "must be a table's path"},
		{false, table, "must be an instance's path"},
		{false, "InternetGatewayDevice.*.1", "must be an instance's path"},
		{true, "Device.Hosts.Host", "must be under InternetGatewayDevice"},
		{true, "InternetGatewayDevice.DeviceInfo.SoftwareVersion", "is not an object the device lets you add to or delete"},
	} {
		var err error
		if tc.add {
			_, err = b.svc.AddInstance(ctx, admin, id, tc.path)
		} else {
			_, err = b.svc.DeleteInstance(ctx, admin, id, tc.path)
		}
		var ve validation.Errors
		require.ErrorAs(t, err, &ve, tc.path)
		require.Contains(t, ve["path"], tc.want, tc.path)
	}
	_, err = b.svc.AddInstance(ctx, b.as(t, actor.RoleTechnician), id, table)
	require.ErrorIs(t, err, actor.ErrForbidden)
}

// loseFirstAnswer passes requests on, but the first whose body holds mark
// reaches GenieACS and its answer never comes back (the connection is
// closed): a timeout or a dropped connection after GenieACS took the task.
func loseFirstAnswer(mark string) func(http.Handler) http.Handler {
	var lost atomic.Bool
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if !strings.Contains(string(body), mark) || !lost.CompareAndSwap(false, true) {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r) // GenieACS runs it; its answer is lost
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		})
	}
}

// An instance add whose answer was lost (GenieACS ran it) is not sent
// again on a guess: the table gains one instance, not two, and the task
// fails saying it may have run; a read-back write in the same position is
// sent again and ends done.
func TestALostAnswerIsNotSentTwice(t *testing.T) {
	t.Parallel()
	b := setupThrough(t, 3, loseFirstAnswer(`"addObject"`))
	ctx := context.Background()
	admin := b.as(t, actor.RoleAdmin)
	id, gid := b.owned(t, "HG8245H", 0)
	const table = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"
	count := func() int {
		n := 0
		for i := 1; i <= 9; i++ {
			if _, ok := b.sim.Value(gid, table+"."+strconv.Itoa(i)+".AssociatedDeviceMACAddress"); ok {
				n++
			}
		}
		return n
	}
	before := count()
	tk, err := b.svc.AddInstance(ctx, admin, id, table)
	require.NoError(t, err)
	tk = b.wait(t, admin, tk.ID, action.StatusFailed)
	require.Contains(t, tk.Message, "it may have run already")
	require.Equal(t, before+1, count(), "GenieACS ran it once; it was not sent again")
}
