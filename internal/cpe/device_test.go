package cpe_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/validation"
)

func (b *testBundle) admin(t *testing.T) actor.Actor {
	t.Helper()
	return testfactory.Actor(testfactory.User(context.Background(), t, b.pool, b.org, nil))
}

func TestListFiltersAndKeyset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	other := testfactory.Org(ctx, t, b.pool, nil)
	_, err := b.pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm, product_class, software_version, tags, last_inform_at)
		SELECT $1, 'HWTC' || lpad(i::text, 8, '0'), 'HWTC' || lpad(i::text, 8, '0'), CASE WHEN i % 2 = 0 THEN 'HG8245H' ELSE 'F660' END,
			'V' || (i % 3), CASE WHEN i % 5 = 0 THEN ARRAY['vip'] ELSE '{}' END,
			CASE WHEN i % 4 = 0 THEN NULL ELSE now() - make_interval(mins => i) END
		FROM generate_series(1, 130) i`, b.org.ID)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `INSERT INTO cpe_devices (org_id, serial, serial_norm) VALUES ($1, 'HWTC99999999', 'HWTC99999999')`, other.ID)
	require.NoError(t, err)

	collect := func(f cpe.Filter) []cpe.Device {
		var all []cpe.Device
		for {
			p, err := b.svc.List(ctx, a, f)
			require.NoError(t, err)
			all = append(all, p.Items...)
			if p.Next == "" {
				return all
			}
			f.After = p.Next
		}
	}
	t.Run("AllPagesOnceInOrder", func(t *testing.T) {
		for _, sort := range []string{"", cpe.SortLastInform, cpe.SortNewest} {
			all := collect(cpe.Filter{Limit: 17, Sort: sort})
			require.Len(t, all, 130, sort)
			seen := map[uuid.UUID]bool{}
			for _, d := range all {
				require.False(t, seen[d.ID])
				seen[d.ID] = true
				require.NotEqual(t, "HWTC99999999", d.Serial, "never another organization's")
			}
		}
		all := collect(cpe.Filter{Limit: 17, Sort: cpe.SortLastInform})
		for i := 1; i < len(all); i++ {
			if all[i].LastInformAt != nil {
				require.NotNil(t, all[i-1].LastInformAt, "NULLs last")
				require.False(t, all[i].LastInformAt.After(*all[i-1].LastInformAt))
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		require.Len(t, collect(cpe.Filter{Model: "F660"}), 65)
		require.Len(t, collect(cpe.Filter{Firmware: "V0"}), 43)
		require.Len(t, collect(cpe.Filter{Tag: "vip"}), 26)
		require.Len(t, collect(cpe.Filter{Status: "unknown"}), 32)
		require.Len(t, collect(cpe.Filter{Status: "online"}), 7, "informs in the last 10 minutes: i = 1..10 minus multiples of 4")
		require.Len(t, collect(cpe.Filter{Serial: "hwtc0000001"}), 10, "case-insensitive prefix")
		require.Len(t, collect(cpe.Filter{Serial: "48575443000000"}), 99, "Huawei hex prefix")
		// Anywhere in the serial: the last digits off a label.
		require.Len(t, collect(cpe.Filter{Serial: "0012"}), 11, "HWTC00000012 and HWTC00000120-129")
		require.Len(t, collect(cpe.Filter{Serial: "130"}), 1)
		require.Empty(t, collect(cpe.Filter{Serial: "99999"}), "never another organization's")
		require.Empty(t, collect(cpe.Filter{Serial: "_0"}), "a LIKE wildcard is a character")
	})
	t.Run("BadFilter", func(t *testing.T) {
		_, err := b.svc.List(ctx, a, cpe.Filter{Status: "asleep", Sort: "random", After: "zzz", Serial: "drop table;"})
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve, 4)
	})
	t.Run("Facets", func(t *testing.T) {
		models, firmware, err := b.svc.Facets(ctx, a)
		require.NoError(t, err)
		require.Equal(t, []string{"F660", "HG8245H"}, models)
		require.Equal(t, []string{"V0", "V1", "V2"}, firmware)
	})
}

func TestNormalizeSerialPrefix(t *testing.T) {
	t.Parallel()
	require.Equal(t, "HWTCA1", cpe.NormalizeSerialPrefix("48575443a1"))
	require.Equal(t, "HWTC", cpe.NormalizeSerialPrefix("48575443"))
	require.Equal(t, "4857", cpe.NormalizeSerialPrefix("4857"))
	require.Equal(t, "ZTEG12", cpe.NormalizeSerialPrefix("zteg12"))
}

func TestClaimRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	id := testfactory.Device(ctx, t, b.pool, nil, "HWTC0000RACE", nil)
	orgs := []actor.Actor{b.admin(t)}
	for range 7 {
		o := testfactory.Org(ctx, t, b.pool, nil)
		orgs = append(orgs, testfactory.Actor(testfactory.User(ctx, t, b.pool, o, nil)))
	}
	var wg sync.WaitGroup
	results := make([]error, len(orgs))
	start := make(chan struct{})
	for i, a := range orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, results[i] = b.svc.Claim(ctx, a, id)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range results {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, db.ErrNotFound, "to the other organizations it is now a device they cannot see")
		}
	}
	require.Equal(t, 1, won, "exactly one claim succeeds")
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.claimed'`))
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM audit_log WHERE action = 'cpe.claim'`))

	t.Run("ColleagueLoses", func(t *testing.T) {
		dev := testfactory.Device(ctx, t, b.pool, nil, "HWTC0000RAC2", nil)
		colleague := orgs[1]
		colleague.ID = uuid.New() // another member of orgs[1]'s organization
		_, err := b.svc.Claim(ctx, orgs[1], dev)
		require.NoError(t, err)
		_, err = b.svc.Claim(ctx, colleague, dev)
		require.ErrorIs(t, err, cpe.ErrAlreadyClaimed, "the same organization is told it was just claimed")
		_, err = b.svc.Claim(ctx, orgs[2], dev)
		require.ErrorIs(t, err, db.ErrNotFound, "another organization cannot tell it from an unknown id")
	})
	t.Run("NotFoundAndRoles", func(t *testing.T) {
		_, err := b.svc.Claim(ctx, orgs[0], uuid.New())
		require.ErrorIs(t, err, db.ErrNotFound)
		tech := orgs[0]
		tech.Role = actor.RoleTechnician
		_, err = b.svc.Claim(ctx, tech, id)
		require.ErrorIs(t, err, actor.ErrForbidden)
		_, err = b.svc.Pending(ctx, tech, "", 10)
		require.ErrorIs(t, err, actor.ErrForbidden)
	})
}

func TestInventoryAndImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	other := testfactory.Org(ctx, t, b.pool, nil)
	testfactory.Device(ctx, t, b.pool, &other, "ZTEG0000AAAA", nil)             // another org's
	pending := testfactory.Device(ctx, t, b.pool, nil, "48575443000000B0", nil) // contacted GenieACS, unowned
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("alice")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, other, &testfactory.SubscriberOpts{Username: testfactory.Ptr("bob")})

	t.Run("AddOne", func(t *testing.T) {
		d, err := b.svc.AddToInventory(ctx, a, cpe.InventoryInput{Serial: "48575443000000A1", Model: "HG8245H", Subscriber: "alice"})
		require.NoError(t, err)
		require.Equal(t, "HWTC000000A1", d.Serial)
		require.Equal(t, "alice", d.Subscriber)
		require.Equal(t, "inventory", d.Source)
		_, err = b.svc.AddToInventory(ctx, a, cpe.InventoryInput{Serial: "HWTC000000A1"})
		var ve validation.Errors
		require.ErrorAs(t, err, &ve)
		require.Contains(t, ve["serial"], "already in this organization")
		_, err = b.svc.AddToInventory(ctx, a, cpe.InventoryInput{Serial: "ZTEG0000AAAA"})
		require.ErrorAs(t, err, &ve)
		require.Equal(t, cpe.ErrSerialUnavailable, ve["serial"], "never says who has it")
		require.NotContains(t, ve["serial"], "organization")
		_, err = b.svc.AddToInventory(ctx, a, cpe.InventoryInput{Serial: "HWTC0000XYZ1", Subscriber: "bob"})
		require.ErrorAs(t, err, &ve)
		require.Contains(t, ve["subscriber"], "unknown subscriber")
	})

	csvFile := "serial,model,subscriber\n" +
		"HWTC00000100,HG8245H,alice\n" +
		"48575443000000B0,,\n" + // the pending one, in hex: claimed
		"HWTC00000101,F660,\n"
	t.Run("PreviewAndCommit", func(t *testing.T) {
		p, err := b.svc.PreviewImport(ctx, a, "batch.csv", strings.NewReader(csvFile))
		require.NoError(t, err)
		require.Equal(t, 3, p.Valid)
		require.Zero(t, p.Invalid)
		require.Equal(t, []string{"add", "claim", "add"}, []string{p.Rows[0].Action, p.Rows[1].Action, p.Rows[2].Action})
		res, err := b.svc.CommitImport(ctx, a, p.ID)
		require.NoError(t, err)
		require.Equal(t, cpe.ImportResult{Added: 2, Claimed: 1, Assigned: 1}, res)
		d, err := b.svc.Get(ctx, a, pending)
		require.NoError(t, err)
		require.Equal(t, "pending", d.PushState, "a claimed device known to GenieACS gets its tags pushed")
		_, err = b.svc.CommitImport(ctx, a, p.ID)
		require.Error(t, err, "a preview commits once")
	})
	t.Run("RowErrorsAndAllOrNothing", func(t *testing.T) {
		before := count(t, b.pool, `SELECT count(*) FROM cpe_devices`)
		p, err := b.svc.PreviewImport(ctx, a, "bad.csv", strings.NewReader("Serial,Subscriber\n"+
			"HWTC00000200,\n"+ // fine
			"bad serial!,\n"+
			"hwtc00000200,\n"+ // duplicate of line 2
			"ZTEG0000AAAA,\n"+ // another org's
			"HWTC00000201,nobody\n"+
			"HWTC00000100,\n")) // already ours
		require.NoError(t, err)
		require.Equal(t, 1, p.Valid)
		require.Equal(t, 5, p.Invalid)
		errs := []string{}
		for _, r := range p.Rows[1:] {
			errs = append(errs, r.Error)
		}
		require.Contains(t, errs[0], "serial must be")
		require.Equal(t, "duplicate of line 2 in this file", errs[1])
		require.Equal(t, cpe.ErrSerialUnavailable, errs[2])
		require.Equal(t, "unknown subscriber nobody", errs[3])
		require.Equal(t, "already in this organization's inventory", errs[4])
		_, err = b.svc.CommitImport(ctx, a, p.ID)
		require.ErrorIs(t, err, cpe.ErrImportHasErrors)
		require.Equal(t, before, count(t, b.pool, `SELECT count(*) FROM cpe_devices`), "nothing half-imported")
	})
	t.Run("BadFiles", func(t *testing.T) {
		for name, body := range map[string]string{
			"Empty":         "",
			"HeaderOnly":    "serial\n",
			"NoSerial":      "model,subscriber\nHG8245H,alice\n",
			"UnknownColumn": "serial,colour\nHWTC00000300,red\n",
			"NotUTF8":       "serial\nHWTC\xff\xfe0001\n",
			"Binary":        "serial\n\x00\x01\x02\n",
			"Junk":          strings.Repeat("x", cpe.MaxImportBytes+10),
			"BadQuotes":     "serial\n\"HWTC0001\n",
		} {
			_, err := b.svc.PreviewImport(ctx, a, name, strings.NewReader(body))
			var fe *cpe.ErrImportFile
			require.ErrorAs(t, err, &fe, name)
		}
	})
	t.Run("ImportsElsewhereAreNotFound", func(t *testing.T) {
		p, err := b.svc.PreviewImport(ctx, a, "x.csv", strings.NewReader("serial\nHWTC00000400\n"))
		require.NoError(t, err)
		oa := testfactory.Actor(testfactory.User(ctx, t, b.pool, other, nil))
		_, err = b.svc.GetImport(ctx, oa, p.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = b.svc.CommitImport(ctx, oa, p.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
	})
}

func TestAssignRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	dev := testfactory.Device(ctx, t, b.pool, &b.org, "HWTC0000A551", nil)
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("ok"), PlanGroup: testfactory.Ptr("home")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("off"), Status: testfactory.Ptr("suspended")})
	testfactory.Subscriber(ctx, t, b.pool, b.box, b.org, &testfactory.SubscriberOpts{Username: testfactory.Ptr("nopass"), PPPoEPassword: testfactory.Ptr("")})
	other := testfactory.Org(ctx, t, b.pool, nil)
	testfactory.Subscriber(ctx, t, b.pool, b.box, other, &testfactory.SubscriberOpts{Username: testfactory.Ptr("theirs")})

	var ve validation.Errors
	_, err := b.svc.Assign(ctx, a, dev, cpe.AssignInput{Subscriber: "off"})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "off is suspended", ve["subscriber"])
	_, err = b.svc.Assign(ctx, a, dev, cpe.AssignInput{Subscriber: "nopass"})
	require.ErrorAs(t, err, &ve)
	require.Contains(t, ve["subscriber"], "no PPPoE credentials")
	_, err = b.svc.Assign(ctx, a, dev, cpe.AssignInput{Subscriber: "theirs"})
	require.ErrorAs(t, err, &ve, "another organization's subscriber does not exist here")

	tech := a
	tech.Role = actor.RoleTechnician
	d, err := b.svc.Assign(ctx, tech, dev, cpe.AssignInput{Subscriber: "ok"})
	require.NoError(t, err, "technicians may assign")
	require.Equal(t, "ok", d.Subscriber)
	require.Equal(t, "home", d.PlanGroup)
	require.Equal(t, "pending", d.PushState)
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM river_job WHERE kind = 'cpe_push'`))
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.assigned'`))

	viewer := a
	viewer.Role = actor.RoleViewer
	_, err = b.svc.Assign(ctx, viewer, dev, cpe.AssignInput{Subscriber: "ok"})
	require.ErrorIs(t, err, actor.ErrForbidden)
	oa := testfactory.Actor(testfactory.User(ctx, t, b.pool, other, nil))
	_, err = b.svc.Assign(ctx, oa, dev, cpe.AssignInput{Subscriber: "theirs"})
	require.ErrorIs(t, err, db.ErrNotFound)

	d, err = b.svc.Unassign(ctx, a, dev)
	require.NoError(t, err)
	require.Empty(t, d.Subscriber)
	require.Equal(t, 1, count(t, b.pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.unassigned'`))
	_, err = b.svc.Unassign(ctx, a, dev)
	require.ErrorAs(t, err, &ve)
}

func TestThresholdsAreConfigurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	a := b.admin(t)
	id := testfactory.Device(ctx, t, b.pool, &b.org, "THRESH000001", nil)
	_, err := b.pool.Exec(ctx, `UPDATE cpe_devices SET last_inform_at = now() - interval '20 minutes' WHERE id = $1`, id)
	require.NoError(t, err)
	status := func() (string, int) {
		d, err := b.svc.Get(ctx, a, id)
		require.NoError(t, err)
		p, err := b.svc.List(ctx, a, cpe.Filter{Status: "online"})
		require.NoError(t, err)
		return d.Status, len(p.Items)
	}
	s, n := status()
	require.Equal(t, "offline", s, "10 minutes by default")
	require.Zero(t, n)

	require.Equal(t, cpe.DefaultThresholds(), b.svc.Thresholds())
	b.svc.WithThresholds(cpe.Thresholds{Online: 30 * time.Minute, Stale: 2 * time.Hour}) // OFFLINE_AFTER=30m STALE_AFTER=2h
	s, n = status()
	require.Equal(t, "online", s)
	require.Equal(t, 1, n, "the list's status filter follows the same threshold")
}

// A CSV the reader cannot parse is explained in plain words, with its line.
func TestImportCSVProblemsInWords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for body, want := range map[string]string{
		"serial,model\nHWTC00000001,\"HG8245H\n": `line 2 has a quoted value that is never closed`,
		"serial,model\nHWTC00000001,HG\"8245H\n": `line 2 has a " inside a value that is not quoted`,
	} {
		_, err := b.svc.PreviewImport(context.Background(), b.admin(t), "bad.csv", strings.NewReader(body))
		var fe *cpe.ErrImportFile
		require.ErrorAs(t, err, &fe)
		require.Contains(t, fe.Error(), want)
	}
}
