package devicehealth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/validation"
)

// The windows a series may cover.
const (
	Day   = 24 * time.Hour
	Week  = 7 * Day
	Month = 30 * Day
)

// Range is a window by name, as the API and the page's switch spell it.
type Range struct {
	Name   string
	Window time.Duration
}

// Ranges are the windows, shortest first.
func Ranges() []Range { return []Range{{"24h", Day}, {"7d", Week}, {"30d", Month}} }

const rangeReason = "must be 24h, 7d or 30d"

// ParseRange reads a range name ("" is 24h).
func ParseRange(s string) (time.Duration, error) {
	if s == "" {
		return Day, nil
	}
	for _, r := range Ranges() {
		if r.Name == s {
			return r.Window, nil
		}
	}
	return 0, validation.Errors{"range": rangeReason}
}

// RangeName is the name of a window ("" when it is not one of Ranges).
func RangeName(w time.Duration) string {
	for _, r := range Ranges() {
		if r.Window == w {
			return r.Name
		}
	}
	return ""
}

// MaxPoints caps every series.
const MaxPoints = 300

// MaxGap: two samples further apart give no traffic rate (the counters'
// history in between is unknown).
const MaxGap = 2 * time.Hour

// Point is one value of a series.
type Point struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// Latest is the device's most recent health values (nil: never reported).
type Latest struct {
	At               *time.Time `json:"at" db:"health_at"`
	UptimeS          *int64     `json:"uptimeSeconds" db:"uptime_s"`
	CPUPercent       *float64   `json:"cpuPercent" db:"-"` // rounded from the stored real
	MemoryFreeKiB    *int64     `json:"memoryFreeKiB" db:"memory_free_kib"`
	WANBytesSent     *int64     `json:"wanBytesSent" db:"wan_bytes_sent"`
	WANBytesReceived *int64     `json:"wanBytesReceived" db:"wan_bytes_received"`
	WiFiClients      *int       `json:"wifiClients" db:"wifi_clients"`
}

// Series is a device's health over a window ending at To.
type Series struct {
	DeviceID uuid.UUID `json:"deviceId"`
	Range    string    `json:"range"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// Samples is how many samples the window holds.
	Samples int `json:"samples"`
	// BucketSeconds is the width of an averaged point; 0 when the points
	// are the samples themselves.
	BucketSeconds int    `json:"bucketSeconds"`
	Latest        Latest `json:"latest"`
	// LatestDownMbps and LatestUpMbps are the rates between the two most
	// recent samples; nil when there are fewer, or the counters reset
	// (a reboot) or were too far apart between them: never an older rate
	// shown as the latest.
	LatestDownMbps *float64 `json:"latestDownMbps"`
	LatestUpMbps   *float64 `json:"latestUpMbps"`
	// DownMbps and UpMbps are WAN traffic rates (received, sent).
	DownMbps      []Point `json:"downMbps"`
	UpMbps        []Point `json:"upMbps"`
	CPUPercent    []Point `json:"cpuPercent"`
	MemoryFreeKiB []Point `json:"memoryFreeKiB"`
	WiFiClients   []Point `json:"wifiClients"`
	UptimeS       []Point `json:"uptimeSeconds"`
	// Hosts is the LAN host count the CPE reports (HostNumberOfEntries).
	Hosts []Point `json:"hosts"`
	// OpticalRxDBm and OpticalTxDBm are a GPON ONT's optical levels.
	OpticalRxDBm []Point `json:"opticalRxDbm"`
	OpticalTxDBm []Point `json:"opticalTxDbm"`
}

// Service reads health series.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// Series returns the device's health over the window ending now (0: 24 h).
func (s *Service) Series(ctx context.Context, a actor.Actor, deviceID uuid.UUID, window time.Duration) (Series, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Series{}, err
	}
	if window == 0 {
		window = Day
	}
	name := RangeName(window)
	if name == "" {
		return Series{}, validation.Errors{"range": rangeReason}
	}
	now := time.Now().UTC()
	to := now.Truncate(time.Second)
	out := Series{DeviceID: deviceID, Range: name, From: to.Add(-window), To: to}
	latest, err := db.One[struct {
		Latest
		CPU *float32 `db:"cpu_percent"`
	}](ctx, s.pool, `SELECT health_at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients
		FROM cpe_devices WHERE id = $1 AND org_id = $2`, deviceID, a.OrgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Series{}, db.ErrNotFound
	}
	if err != nil {
		return Series{}, fmt.Errorf("health of device: %w", err)
	}
	out.Latest = latest.Latest
	if latest.CPU != nil {
		v := round(float64(*latest.CPU), 2)
		out.Latest.CPUPercent = &v
	}
	if out.Latest.At != nil {
		t := out.Latest.At.UTC()
		out.Latest.At = &t
	}
	// From MaxGap before the window too: the first rate needs the sample
	// before it.
	rows, err := s.pool.Query(ctx, `SELECT at, uptime_s, cpu_percent, memory_free_kib, wan_bytes_sent, wan_bytes_received, wifi_clients,
			hosts, optical_rx_dbm, optical_tx_dbm
		FROM cpe_metrics WHERE device_id = $1 AND at > $2 AND at <= $3 ORDER BY at`, deviceID, out.From.Add(-MaxGap), now)
	if err != nil {
		return Series{}, fmt.Errorf("health samples: %w", err)
	}
	samples, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sample, error) {
		sr, err := pgx.RowToStructByName[struct {
			sample
			CPU     *float32 `db:"cpu_percent"`
			Clients *int32   `db:"wifi_clients"`
			Hosts   *int32   `db:"hosts"`
			Rx      *float32 `db:"optical_rx_dbm"`
			Tx      *float32 `db:"optical_tx_dbm"`
		}](r)
		sm := sr.sample
		sm.At = sm.At.UTC()
		if sr.CPU != nil {
			v := float64(*sr.CPU)
			sm.CPUPercent = &v
		}
		if sr.Clients != nil {
			v := int64(*sr.Clients)
			sm.WiFiClients = &v
		}
		if sr.Hosts != nil {
			v := int64(*sr.Hosts)
			sm.Hosts = &v
		}
		sm.OpticalRx, sm.OpticalTx = real64(sr.Rx), real64(sr.Tx)
		return sm, err
	})
	if err != nil {
		return Series{}, fmt.Errorf("health samples: %w", err)
	}
	build(&out, samples)
	return out, nil
}

// sample is one row of cpe_metrics.
type sample struct {
	At            time.Time `db:"at"`
	UptimeS       *int64    `db:"uptime_s"`
	CPUPercent    *float64  `db:"-"` // from the stored real
	MemoryFreeKiB *int64    `db:"memory_free_kib"`
	BytesSent     *int64    `db:"wan_bytes_sent"`
	BytesReceived *int64    `db:"wan_bytes_received"`
	WiFiClients   *int64    `db:"-"` // from the stored integer
	Hosts         *int64    `db:"-"`
	OpticalRx     *float64  `db:"-"` // from the stored reals
	OpticalTx     *float64  `db:"-"`
}

// real64 widens a stored real, rounded to its 0.01 dBm (a float32 holds
// -27.3 as -27.299999).
func real64(v *float32) *float64 {
	if v == nil {
		return nil
	}
	f := round(float64(*v), 2)
	return &f
}

// build fills the series from samples ordered by time, the first ones
// possibly before From (used for rates only).
func build(out *Series, samples []sample) {
	var cpu, mem, clients, uptime, hosts, rx, tx []weighted
	for _, sm := range samples {
		if !sm.At.After(out.From) {
			continue
		}
		out.Samples++
		cpu = appendValue(cpu, sm.At, sm.CPUPercent)
		mem = appendInt(mem, sm.At, sm.MemoryFreeKiB)
		clients = appendInt(clients, sm.At, sm.WiFiClients)
		uptime = appendInt(uptime, sm.At, sm.UptimeS)
		hosts = appendInt(hosts, sm.At, sm.Hosts)
		rx, tx = appendValue(rx, sm.At, sm.OpticalRx), appendValue(tx, sm.At, sm.OpticalTx)
	}
	down, up := rates(samples)
	if n := len(down); n > 0 && len(samples) >= 2 && down[n-1].At.Equal(samples[len(samples)-1].At) {
		d, u := round(down[n-1].Value, 3), round(up[n-1].Value, 3)
		out.LatestDownMbps, out.LatestUpMbps = &d, &u
	}
	for len(down) > 0 && !down[0].At.After(out.From) {
		down, up = down[1:], up[1:]
	}
	width := time.Duration(0)
	if max(len(cpu), len(mem), len(clients), len(uptime), len(down), len(hosts), len(rx)) > MaxPoints {
		width = (out.To.Sub(out.From) + MaxPoints - 1) / MaxPoints
		out.BucketSeconds = int(math.Round(width.Seconds()))
	}
	shape := func(ws []weighted, digits int) []Point {
		if width > 0 {
			ws = bucket(ws, out.From, width)
		}
		ps := make([]Point, len(ws))
		for i, w := range ws {
			ps[i] = Point{At: w.At, Value: round(w.Value, digits)}
		}
		return ps
	}
	out.CPUPercent, out.MemoryFreeKiB = shape(cpu, 2), shape(mem, 0)
	out.WiFiClients, out.UptimeS = shape(clients, 1), shape(uptime, 0)
	out.DownMbps, out.UpMbps = shape(down, 3), shape(up, 3)
	out.Hosts, out.OpticalRxDBm, out.OpticalTxDBm = shape(hosts, 1), shape(rx, 2), shape(tx, 2)
}

// weighted is a point with the weight it carries into a bucket average
// (1 for a gauge, its seconds for a rate).
type weighted struct {
	Point
	weight float64
}

func appendValue(ws []weighted, at time.Time, v *float64) []weighted {
	if v == nil {
		return ws
	}
	return append(ws, weighted{Point{At: at, Value: *v}, 1})
}

func appendInt(ws []weighted, at time.Time, v *int64) []weighted {
	if v == nil {
		return ws
	}
	return append(ws, weighted{Point{At: at, Value: float64(*v)}, 1})
}

// rates turns consecutive samples into traffic rates, down (bytes
// received) and up (bytes sent) in Mbps, dated at the later sample. A pair
// is skipped when either lacks a counter, a counter went backwards (bytes
// or uptime: the device rebooted or reset them) or the samples are more
// than MaxGap apart.
func rates(samples []sample) (down, up []weighted) {
	for i := 1; i < len(samples); i++ {
		a, b := samples[i-1], samples[i]
		dt := b.At.Sub(a.At)
		if dt <= 0 || dt > MaxGap || a.BytesReceived == nil || b.BytesReceived == nil || a.BytesSent == nil || b.BytesSent == nil {
			continue
		}
		dr, ds := *b.BytesReceived-*a.BytesReceived, *b.BytesSent-*a.BytesSent
		if dr < 0 || ds < 0 || (a.UptimeS != nil && b.UptimeS != nil && *b.UptimeS < *a.UptimeS) {
			continue
		}
		sec := dt.Seconds()
		down = append(down, weighted{Point{At: b.At, Value: mbps(dr, sec)}, sec})
		up = append(up, weighted{Point{At: b.At, Value: mbps(ds, sec)}, sec})
	}
	return down, up
}

func mbps(bytes int64, seconds float64) float64 { return float64(bytes) * 8 / seconds / 1e6 }

// bucket averages points into buckets of width starting at from: one point
// per non-empty bucket, at the (weighted) mean time of its points to the
// second, with their weighted mean value.
func bucket(ws []weighted, from time.Time, width time.Duration) []weighted {
	var out []weighted
	cur := int64(-1)
	var sumW, sumV, sumT float64
	flush := func() {
		if sumW > 0 {
			at := from.Add(time.Duration(math.Round(sumT/sumW)) * time.Second)
			out = append(out, weighted{Point{At: at, Value: sumV / sumW}, sumW})
		}
		sumW, sumV, sumT = 0, 0, 0
	}
	for _, w := range ws {
		k := int64(w.At.Sub(from) / width)
		if k != cur {
			flush()
			cur = k
		}
		sumW += w.weight
		sumV += w.Value * w.weight
		sumT += w.At.Sub(from).Seconds() * w.weight
	}
	flush()
	return out
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
