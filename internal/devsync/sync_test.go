package devsync_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/testfactory"
)

func count(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

func client(t *testing.T, nbi string) *genieacs.Client {
	t.Helper()
	u, _ := url.Parse(nbi)
	c, err := genieacs.New(genieacs.Config{NBIURL: u, Timeout: 10 * time.Second, Breaker: genieacs.BreakerSettings{MinRequests: 1000}})
	require.NoError(t, err)
	return c
}

func service(t *testing.T, pool *pgxpool.Pool, c *genieacs.Client) *devsync.Service {
	t.Helper()
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	s := devsync.NewService(pool, c, ins, nil)
	s.PageSize, s.BatchSize = 7, 11 // several pages and batches with few devices
	return s
}

func TestFullThenIncrementalThenDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	// Devices inform when the test says (once a day otherwise), through
	// a GenieACS configured as FyberPay configures it: each periodic
	// inform runs the health provision.
	sim, _ := testfactory.GenieACS(t, acssim.Options{Devices: 30, Seed: 3, InformInterval: 24 * time.Hour, SessionDelay: time.Millisecond},
		testfactory.GenieACSOpts{})
	c := client(t, sim.NBIURL)
	s := service(t, pool, c)
	for _, id := range sim.DeviceIDs() {
		require.NoError(t, sim.Inform(ctx, id, "2 PERIODIC"))
	}

	// An inventory device the sync should attach to its GenieACS record,
	// by serial.
	org := testfactory.Org(ctx, t, pool, nil)
	ids := sim.DeviceIDs()
	doc, err := c.GetDevice(ctx, ids[0], []string{"_deviceId"})
	require.NoError(t, err)
	inv := testfactory.Device(ctx, t, pool, &org, doc.Identity.SerialNumber, nil)

	run, err := s.Sync(ctx, devsync.Incremental) // no watermark yet: a full pass
	require.NoError(t, err)
	require.Equal(t, devsync.Full, run.Kind)
	require.Equal(t, 30, run.Seen)
	require.Equal(t, 29, run.Created, "unknown devices are created")
	require.Equal(t, 1, run.Updated, "the inventory device is attached")
	require.Zero(t, run.Skipped)
	require.Equal(t, 30, run.Samples, "one health sample each")
	require.Equal(t, 29, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE org_id IS NULL AND source = 'discovered'`), "created unassigned")
	var gid, sw, model string
	var uptime *int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT genieacs_id, software_version, data_model, uptime_s FROM cpe_devices WHERE id = $1`, inv).
		Scan(&gid, &sw, &model, &uptime))
	require.Equal(t, ids[0], gid)
	require.NotEmpty(t, sw)
	require.NotEmpty(t, model)
	require.NotNil(t, uptime)
	require.Equal(t, 30, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE last_inform_at IS NOT NULL AND health_at IS NOT NULL`))

	// Nothing changed in GenieACS: a second full pass rewrites nothing.
	again, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Zero(t, again.Created)
	require.LessOrEqual(t, again.Updated, 30)

	// Some devices inform: the incremental pass reads only those (and the
	// 30 s overlap before the watermark), from the watermark.
	for _, id := range ids[10:15] {
		require.NoError(t, sim.Inform(ctx, id, "2 PERIODIC"))
	}
	inc, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Equal(t, devsync.Incremental, inc.Kind)
	require.Positive(t, inc.Seen)
	require.Positive(t, inc.Updated)
	require.Zero(t, inc.Created)
	require.NotNil(t, inc.Watermark)
	require.True(t, inc.Watermark.After(*run.Watermark))

	// A device deleted from GenieACS is marked by the next full pass.
	gone := ids[5]
	require.NoError(t, c.DeleteDevice(ctx, gone))
	full, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Equal(t, 1, full.Deleted)
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE genieacs_id = $1 AND genieacs_deleted_at IS NOT NULL`, gone))
}

func TestMalformedDocumentsAreSkippedAndCounted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	// A stand-in NBI answering one page with good and broken documents.
	docs := []string{
		`{"_id":"00259E-HG8245H-48575443A0000001","_deviceId":{"_Manufacturer":"Huawei","_OUI":"00259E","_ProductClass":"HG8245H","_SerialNumber":"48575443A0000001"},"_lastInform":"2026-11-27T06:00:00.000Z","InternetGatewayDevice":{"DeviceInfo":{"SoftwareVersion":{"_value":"V1","_type":"xsd:string"},"UpTime":{"_value":120,"_type":"xsd:unsignedInt","_timestamp":"2026-11-27T06:00:00.000Z"}}}}`,
		`{"_id":"broken-1","_deviceId":{"_SerialNumber":""}}`,
		`{"_id":"broken-2","_deviceId":{"_SerialNumber":"S2"},"_lastInform":12345}`,
		`{"_id":"broken-3","_deviceId":{"_SerialNumber":"` + strings.Repeat("X", 500) + `"}}`,
		`{"_id":"broken-4","_deviceId":{"_SerialNumber":"S4","_OUI":"00259E","_ProductClass":"HG8245H","_Manufacturer":"Huawei"},"InternetGatewayDevice":{"DeviceInfo":{"UpTime":{"_value":"soon"}}}}`,
		`{"_id":"broken-5","_deviceId":{"_SerialNumber":"S5","_OUI":"00259E","_ProductClass":"HG8245H","_Manufacturer":"Huawei"},"InternetGatewayDevice":{"DeviceInfo":{"SoftwareVersion":{"_value":"` + strings.Repeat("v", 5000) + `"}}}}`,
		`{"_id":"00259E-HG8245H-48575443A0000006","_deviceId":{"_Manufacturer":"Huawei","_OUI":"00259E","_ProductClass":"HG8245H","_SerialNumber":"48575443A0000006"},"_lastInform":"2026-11-27T06:01:00.000Z"}`,
	}
	nbi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Query().Get("query"), "$gt") {
			fmt.Fprint(w, "[]")
			return
		}
		fmt.Fprint(w, "["+strings.Join(docs, ",")+"]")
	}))
	t.Cleanup(nbi.Close)
	s := service(t, pool, client(t, nbi.URL))
	s.PageSize = 100
	run, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err, "bad documents never abort the pass")
	require.Equal(t, 7, run.Seen)
	require.Equal(t, 2, run.Created)
	require.Equal(t, 5, run.Skipped)
	require.Len(t, run.SkipReasons, 5, "%v", run.SkipReasons)
	require.Equal(t, 2, count(t, pool, `SELECT count(*) FROM cpe_devices`), "no partial rows")
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE serial_norm = $1 AND software_version = 'V1' AND uptime_s = 120`,
		cpe.NormalizeSerial("48575443A0000001")))
	tenant := testfactory.Actor(testfactory.User(ctx, t, pool, testfactory.Org(ctx, t, pool, nil), nil))
	_, err = s.Runs(ctx, tenant, 10)
	require.ErrorIs(t, err, actor.ErrNotOperator, "a pass spans every organization: the operator's alone")
	operator := tenant
	operator.Operator = true
	runs, err := s.Runs(ctx, operator, 10)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, "done", runs[0].Status)
	require.Equal(t, 5, runs[0].Skipped)
}

func TestOnlineOfflineEventsAreDebounced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	nbi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "[]") }))
	t.Cleanup(nbi.Close)
	s := service(t, pool, client(t, nbi.URL))
	org := testfactory.Org(ctx, t, pool, nil)
	dev := func(serial, state string, inform, changed time.Duration) {
		id := testfactory.Device(ctx, t, pool, &org, serial, nil)
		now := time.Now()
		informed, judged := now.Add(-inform), now.Add(-changed)
		require.NoError(t, cpetest.SetLastInform(ctx, pool, []uuid.UUID{id}, &informed))
		require.NoError(t, cpetest.SetOnlineState(ctx, pool, id, state, &judged))
	}
	dev("WENTDOWN0001", "online", 20*time.Minute, time.Hour) // offline now: event
	dev("CAMEBACK0001", "offline", time.Minute, time.Hour)   // online now: event
	dev("FLAPPING0001", "offline", time.Minute, time.Minute) // changed a minute ago: quiet
	dev("FIRSTSEEN001", "", 30*time.Minute, 0)               // first judgement: quiet
	dev("STEADYUP0001", "online", time.Minute, 2*time.Hour)  // no change
	_, err := pool.Exec(ctx, `INSERT INTO sync_runs (kind, status, watermark) VALUES ('full', 'done', now())`)
	require.NoError(t, err)

	run, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Equal(t, 2, run.Events)
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.offline' AND payload->>'serial' = 'WENTDOWN0001'`))
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM outbox_events WHERE topic = 'cpe.online' AND payload->>'serial' = 'CAMEBACK0001'`))
	require.Equal(t, 2, count(t, pool, `SELECT count(*) FROM outbox_events WHERE topic IN ('cpe.online', 'cpe.offline')`))
	require.Equal(t, "online", stateOf(t, pool, "FLAPPING0001"), "the state follows even when the event is held back")
	require.Equal(t, "offline", stateOf(t, pool, "FIRSTSEEN001"))

	again, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Zero(t, again.Events, "no change, no event")
}

func stateOf(t *testing.T, pool *pgxpool.Pool, serial string) string {
	t.Helper()
	var s string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT online_state FROM cpe_devices WHERE serial_norm = $1`, serial).Scan(&s))
	return s
}

func TestAPassCanBeQueuedAgainAfterOneFinished(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	first, err := ins.Insert(ctx, devsync.Args{Pass: devsync.Full}, nil)
	require.NoError(t, err)
	dup, err := ins.Insert(ctx, devsync.Args{Pass: devsync.Full}, nil)
	require.NoError(t, err)
	require.True(t, dup.UniqueSkippedAsDuplicate, "one waiting pass of a kind at a time")
	_, err = pool.Exec(ctx, `UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, first.Job.ID)
	require.NoError(t, err)
	next, err := ins.Insert(ctx, devsync.Args{Pass: devsync.Full}, nil)
	require.NoError(t, err)
	require.False(t, next.UniqueSkippedAsDuplicate, "a finished pass does not block the next one")
}

// A batch the database refuses fails the pass with the database's error
// (the reader stops; nothing is reported done), and the next pass, once the
// cause is gone, writes everything.
func TestAWriteFailureFailsThePass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 60, Seed: 5, SessionDelay: time.Millisecond})
	s := service(t, pool, client(t, sim.NBIURL))
	_, err := pool.Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'disk full (test)'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON cpe_devices FOR EACH ROW EXECUTE FUNCTION refuse()`)
	require.NoError(t, err)

	run, err := s.Sync(ctx, devsync.Full)
	require.ErrorContains(t, err, "disk full (test)")
	require.Equal(t, "failed", run.Status)
	require.Contains(t, run.Error, "disk full (test)")
	require.Zero(t, run.Created)
	require.Zero(t, count(t, pool, `SELECT count(*) FROM cpe_devices`))
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM sync_runs WHERE status = 'failed'`))

	_, err = pool.Exec(ctx, `DROP TRIGGER refuse ON cpe_devices`)
	require.NoError(t, err)
	run, err = s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Equal(t, 60, run.Seen)
	require.Equal(t, 60, run.Created)
	require.Equal(t, 60, count(t, pool, `SELECT count(*) FROM cpe_devices`))
}

// logBuffer collects a logger's lines (the reader and the writer both log).
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The penetration test's finding: a CPE reporting a SoftwareVersion with a
// NUL byte failed the COPY of its whole batch ("invalid byte sequence for
// encoding UTF8: 0x00"), so the pass failed, the watermark stayed, and every
// later pass failed the same way. The document is skipped with a counted
// reason; the rest of its batch is written and the watermark moves on.
func TestADeviceReportingANULByteIsSkippedAndTheRestWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	sim := acssim.NewTestServer(t, acssim.Options{Devices: 20, Seed: 11, InformInterval: 24 * time.Hour, SessionDelay: time.Millisecond})
	c := client(t, sim.NBIURL)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	var logs logBuffer
	s := devsync.NewService(pool, c, ins, slog.New(slog.NewTextHandler(&logs, nil)))
	s.PageSize, s.BatchSize = 7, 11 // the bad device shares its page and batch with good ones

	ids := sim.DeviceIDs()
	bad := ids[3]
	path := "InternetGatewayDevice.DeviceInfo.SoftwareVersion"
	if _, ok := sim.Value(bad, path); !ok {
		path = "Device.DeviceInfo.SoftwareVersion"
	}
	require.NoError(t, sim.SetValue(bad, path, "V3R017\x00C10"))
	require.NoError(t, sim.Inform(ctx, bad, "2 PERIODIC")) // the latest inform of all
	doc, err := c.GetDevice(ctx, bad, []string{"_lastInform", path})
	require.NoError(t, err)
	require.Equal(t, "V3R017\x00C10", doc.String(path), "the NBI's \\u0000 reaches the sync as a NUL byte")

	run, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err, "one bad document does not fail the pass")
	require.Equal(t, "done", run.Status)
	require.Equal(t, 20, run.Seen)
	require.Equal(t, 19, run.Created, "the rest of the batch is written")
	require.Equal(t, 1, run.Skipped)
	require.Equal(t, map[string]int{"nul byte in SoftwareVersion": 1}, run.SkipReasons)
	require.Equal(t, 19, count(t, pool, `SELECT count(*) FROM cpe_devices`))
	require.Zero(t, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE genieacs_id = $1`, bad))
	require.NotNil(t, run.Watermark)
	require.True(t, run.Watermark.Equal(doc.LastInform), "the watermark passes the skipped document (%s, %s)", run.Watermark, doc.LastInform)
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM sync_runs WHERE id = $1 AND status = 'done' AND skipped = 1
		AND skip_reasons = '{"nul byte in SoftwareVersion": 1}' AND watermark = $2`, run.ID, doc.LastInform))
	require.Contains(t, logs.String(), `level=WARN msg="sync skipped a device document" reason="nul byte in SoftwareVersion" device=`+
		strconv.Quote(strconv.Quote(bad)))

	// The next passes read the document again (it is inside the overlap):
	// skipped again, never failing.
	good := ids[12]
	require.NoError(t, sim.Inform(ctx, good, "2 PERIODIC"))
	inc, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Equal(t, devsync.Incremental, inc.Kind)
	require.Equal(t, "done", inc.Status)
	require.Equal(t, 1, inc.Skipped)
	require.Equal(t, 1, inc.Updated, "the device that informed")
	require.True(t, inc.Watermark.After(*run.Watermark))

	// Once the CPE reports a storable version, the device is created.
	require.NoError(t, sim.SetValue(bad, path, "V3R017C10"))
	require.NoError(t, sim.Inform(ctx, bad, "2 PERIODIC"))
	fixed, err := s.Sync(ctx, devsync.Incremental)
	require.NoError(t, err)
	require.Zero(t, fixed.Skipped)
	require.Equal(t, 1, fixed.Created)
	require.Equal(t, 1, count(t, pool, `SELECT count(*) FROM cpe_devices WHERE genieacs_id = $1 AND software_version = 'V3R017C10'`, bad))
}

// Every text the sync stores is checked, identity fields and tags too; what
// encoding/json already made valid (invalid UTF-8 bytes, a lone surrogate:
// U+FFFD) is stored.
func TestTextPostgreSQLRefusesIsSkipped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	dev := func(id, serial, extra, sw string) string {
		d := `{"_id":"` + id + `","_deviceId":{"_Manufacturer":"Huawei","_OUI":"00259E","_ProductClass":"HG8245H","_SerialNumber":"` + serial + `"},` +
			`"_lastInform":"2026-11-27T06:00:00.000Z"` + extra
		if sw != "" {
			d += `,"InternetGatewayDevice":{"DeviceInfo":{"SoftwareVersion":{"_value":"` + sw + `","_type":"xsd:string"}}}`
		}
		return d + "}"
	}
	docs := []string{
		dev("good-1", "GOOD0001", "", "V1"),
		dev(`bad\u0000id`, "BAD00001", "", "V1"),
		dev("bad-2", `BAD\u000000002`, "", "V1"),
		strings.Replace(dev("bad-3", "BAD00003", "", "V1"), `"_OUI":"00259E"`, `"_OUI":"00\u0000259E"`, 1),
		strings.Replace(dev("bad-4", "BAD00004", "", "V1"), `"_ProductClass":"HG8245H"`, `"_ProductClass":"HG\u0000"`, 1),
		strings.Replace(dev("bad-5", "BAD00005", "", "V1"), `"_Manufacturer":"Huawei"`, `"_Manufacturer":"Hua\u0000wei"`, 1),
		dev("bad-6", "BAD00006", `,"_tags":["ok","t\u0000ag"]`, "V1"),
		dev("bad-7", "BAD00007", "", `V1\u0000`),
		dev("odd-8", "ODD00008", "", "V1\xff\xfe"), // raw bytes that are not UTF-8
		dev("odd-9", "ODD00009", "", `V1\ud800`),   // a lone surrogate, as JSON.stringify writes it
		dev("good-10", "GOOD0010", `,"_tags":["x"]`, "V2"),
	}
	nbi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Join(docs, ",")+"]")
	}))
	t.Cleanup(nbi.Close)
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	var logs logBuffer
	s := devsync.NewService(pool, client(t, nbi.URL), ins, slog.New(slog.NewTextHandler(&logs, nil)))
	s.PageSize = 100

	run, err := s.Sync(ctx, devsync.Full)
	require.NoError(t, err)
	require.Equal(t, "done", run.Status)
	require.Equal(t, 11, run.Seen)
	require.Equal(t, 4, run.Created)
	require.Equal(t, map[string]int{"nul byte in _id": 1, "nul byte in _deviceId._SerialNumber": 1, "nul byte in _deviceId._OUI": 1,
		"nul byte in _deviceId._ProductClass": 1, "nul byte in _deviceId._Manufacturer": 1, "nul byte in _tags": 1,
		"nul byte in SoftwareVersion": 1}, run.SkipReasons)
	require.Equal(t, 7, run.Skipped)
	require.Equal(t, []string{"good-1", "good-10", "odd-8", "odd-9"},
		strs(t, pool, `SELECT genieacs_id FROM cpe_devices ORDER BY genieacs_id`))
	require.Equal(t, []string{"V1\uFFFD\uFFFD", "V1\uFFFD"},
		strs(t, pool, `SELECT software_version FROM cpe_devices WHERE genieacs_id LIKE 'odd-%' ORDER BY genieacs_id`))
	require.Contains(t, logs.String(), `reason="nul byte in _id" device=`+strconv.Quote(strconv.Quote("bad\x00id")))
}

func strs(t *testing.T, pool *pgxpool.Pool, q string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), q, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}
