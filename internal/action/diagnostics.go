package action

import (
	"context"
	"errors"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
)

// Download is the latest TR-143 download test.
type Download struct {
	State      string     `json:"state"`
	URL        string     `json:"url,omitempty"`
	BOMTime    *time.Time `json:"bomTime,omitempty"`
	EOMTime    *time.Time `json:"eomTime,omitempty"`
	TestBytes  *int64     `json:"testBytesReceived,omitempty"`
	TotalBytes *int64     `json:"totalBytesReceived,omitempty"`
	// Mbps = bytes × 8 / (EOMTime − BOMTime) / 10^6.
	Mbps *float64 `json:"mbps,omitempty"`
}

// Upload is the latest TR-143 upload test.
type Upload struct {
	State          string     `json:"state"`
	URL            string     `json:"url,omitempty"`
	BOMTime        *time.Time `json:"bomTime,omitempty"`
	EOMTime        *time.Time `json:"eomTime,omitempty"`
	TestFileLength *int64     `json:"testFileLength,omitempty"`
	TotalBytesSent *int64     `json:"totalBytesSent,omitempty"`
	Mbps           *float64   `json:"mbps,omitempty"`
}

// PingResult is the latest IP ping.
type PingResult struct {
	State       string `json:"state"`
	Host        string `json:"host,omitempty"`
	Repetitions *int64 `json:"repetitions,omitempty"`
	Success     *int64 `json:"successCount,omitempty"`
	Failure     *int64 `json:"failureCount,omitempty"`
	AverageMs   *int64 `json:"averageMs,omitempty"`
	MinimumMs   *int64 `json:"minimumMs,omitempty"`
	MaximumMs   *int64 `json:"maximumMs,omitempty"`
}

// Sent is how many echo requests went out (replies + failures).
func (p PingResult) Sent() int64 {
	var n int64
	for _, v := range []*int64{p.Success, p.Failure} {
		if v != nil {
			n += *v
		}
	}
	return n
}

// Hop is one router on a traceroute's path.
type Hop struct {
	Host    string `json:"host,omitempty"`
	Address string `json:"address,omitempty"`
	// RTTimesMs are the tries' round-trip times (ms), as the CPE lists them.
	RTTimesMs []int64 `json:"rtTimesMs"`
	ErrorCode int64   `json:"errorCode,omitempty"`
}

// TracerouteResult is the latest TR-143 traceroute.
type TracerouteResult struct {
	State      string `json:"state"`
	Host       string `json:"host,omitempty"`
	ResponseMs *int64 `json:"responseMs,omitempty"`
	Hops       []Hop  `json:"hops"`
}

// Diagnostics are a device's latest diagnostics results, whatever its data
// model.
type Diagnostics struct {
	DeviceID   uuid.UUID        `json:"deviceId"`
	DataModel  string           `json:"dataModel"`
	Download   Download         `json:"download"`
	Upload     Upload           `json:"upload"`
	Ping       PingResult       `json:"ping"`
	Traceroute TracerouteResult `json:"traceroute"`
	Neighbours Neighbours       `json:"neighbours"`
	// Running is true while a test is requested and has no result yet.
	Running bool `json:"running"`
	// Unsupported names the tests the device cannot run (its capabilities,
	// once judged): "download_test", "upload_test", "ping", ...
	Unsupported []datamodel.Capability `json:"unsupported,omitempty"`
}

// Supports reports whether the device can run the test of capability c
// (true while its capabilities are not judged).
func (d Diagnostics) Supports(c datamodel.Capability) bool { return !slices.Contains(d.Unsupported, c) }

// Diagnostics reads the device's latest results from GenieACS.
func (s *Service) Diagnostics(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Diagnostics, error) {
	dev, doc, err := s.document(ctx, a, deviceID, byRoot(diagnosticsProjection))
	if err != nil {
		return Diagnostics{}, err
	}
	out := Diagnostics{DeviceID: dev.id, DataModel: dev.dataModel}
	for _, c := range []datamodel.Capability{datamodel.CapDownloadTest, datamodel.CapUploadTest, datamodel.CapPing,
		datamodel.CapTraceroute, datamodel.CapNeighbourScan} {
		if dev.caps.Why(c) != "" {
			out.Unsupported = append(out.Unsupported, c)
		}
	}
	if doc == nil {
		return out, nil
	}
	d := readDiagnostics(doc, dev.identity())
	d.DeviceID, d.DataModel, d.Unsupported = out.DeviceID, out.DataModel, out.Unsupported
	return d, nil
}

// document reads, for a staff member who may read the device, the part of
// its GenieACS document projection names for it; doc is nil when GenieACS
// does not know the device (never informed, or deleted). projection runs
// once the device is found (another organization's is not found whatever
// was asked) and may refuse what was asked before GenieACS is called.
func (s *Service) document(ctx context.Context, a actor.Actor, deviceID uuid.UUID, projection func(dev target) ([]string, error)) (target, *genieacs.Device, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return target{}, nil, err
	}
	dev, err := device(ctx, s.pool, a.OrgID, deviceID)
	if err != nil {
		return dev, nil, err
	}
	paths, err := projection(dev)
	if err != nil || dev.genieID == "" {
		return dev, nil, err
	}
	if s.acs == nil {
		return target{}, nil, errNotConfigured()
	}
	doc, err := s.acs.GetDevice(ctx, dev.genieID, paths)
	if errors.Is(err, genieacs.ErrDeviceNotFound) {
		return dev, nil, nil
	}
	return dev, doc, err
}

// byRoot is a projection that depends on the data model only.
func byRoot(f func(root string) []string) func(target) ([]string, error) {
	return func(dev target) ([]string, error) { return f(dev.root()), nil }
}

func diagnosticsProjection(root string) []string {
	if root == datamodel.TR181 {
		return []string{"Device.IP.Diagnostics", "Device.WiFi.NeighboringWiFiDiagnostic", "Device.WiFi.Radio.1.Channel", "Device.WiFi.Radio.2.Channel"}
	}
	return []string{"InternetGatewayDevice.DownloadDiagnostics", "InternetGatewayDevice.UploadDiagnostics", "InternetGatewayDevice.IPPingDiagnostics",
		"InternetGatewayDevice.TraceRouteDiagnostics", zteRadios,
		"InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel", "InternetGatewayDevice.LANDevice.1.WLANConfiguration.5.Channel"}
}

// zteRadios is ZTE's per-radio Wi-Fi object: its site survey (a state and
// a result table per radio) is polled, the CPE announcing nothing.
const zteRadios = "InternetGatewayDevice.LANDevice.1.WIFI.Radio"

// polledScan is the object to read again while a device's neighbour scan
// runs, when the CPE does not announce its end ("" when it does).
func polledScan(id datamodel.Identity) string {
	path, _ := datamodel.Resolve(datamodel.NeighbourScanState, id, func(func(string) bool) {})
	if strings.HasPrefix(path, zteRadios+".") {
		return zteRadios
	}
	return ""
}

// readDiagnostics picks the results out of a device document.
func readDiagnostics(doc *genieacs.Device, id datamodel.Identity) Diagnostics {
	val := func(p datamodel.Param) (genieacs.Param, bool) {
		path, found := datamodel.Resolve(p, id, maps.Keys(doc.Params))
		if !found {
			return genieacs.Param{}, false
		}
		v, ok := doc.Params[path]
		return v, ok && v.Value != nil
	}
	str := func(p datamodel.Param) string {
		v, ok := val(p)
		if !ok {
			return ""
		}
		return canonical(v.Value)
	}
	num := func(p datamodel.Param) *int64 {
		v, ok := val(p)
		if !ok {
			return nil
		}
		var n int64
		switch x := v.Value.(type) {
		case float64:
			n = int64(x)
		case string:
			var err error
			if n, err = strconv.ParseInt(x, 10, 64); err != nil {
				return nil
			}
		default:
			return nil
		}
		return &n
	}
	when := func(p datamodel.Param) *time.Time {
		v, ok := val(p)
		if !ok {
			return nil
		}
		s, _ := v.Value.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() < 2000 { // "0001-01-01T00:00:00Z" = never
			return nil
		}
		return &t
	}
	var d Diagnostics
	d.Download = Download{State: str(datamodel.DownloadState), URL: str(datamodel.DownloadURL),
		BOMTime: when(datamodel.DownloadBOMTime), EOMTime: when(datamodel.DownloadEOMTime),
		TestBytes: num(datamodel.DownloadTestBytes), TotalBytes: num(datamodel.DownloadTotalBytes)}
	if done(d.Download.State) {
		bytes := d.Download.TestBytes
		if bytes == nil || *bytes == 0 {
			bytes = d.Download.TotalBytes
		}
		d.Download.Mbps = mbps(bytes, d.Download.BOMTime, d.Download.EOMTime)
	}
	d.Upload = Upload{State: str(datamodel.UploadState), URL: str(datamodel.UploadURL),
		BOMTime: when(datamodel.UploadBOMTime), EOMTime: when(datamodel.UploadEOMTime),
		TestFileLength: num(datamodel.UploadTestFileLength), TotalBytesSent: num(datamodel.UploadTotalBytesSent)}
	if done(d.Upload.State) {
		bytes := d.Upload.TestFileLength
		if bytes == nil || *bytes == 0 {
			bytes = d.Upload.TotalBytesSent
		}
		d.Upload.Mbps = mbps(bytes, d.Upload.BOMTime, d.Upload.EOMTime)
	}
	d.Ping = PingResult{State: str(datamodel.PingState), Host: str(datamodel.PingHost), Repetitions: num(datamodel.PingRepetitions)}
	if done(d.Ping.State) {
		d.Ping.Success, d.Ping.Failure = num(datamodel.PingSuccessCount), num(datamodel.PingFailureCount)
		d.Ping.AverageMs, d.Ping.MinimumMs, d.Ping.MaximumMs = num(datamodel.PingAverageTime), num(datamodel.PingMinimumTime), num(datamodel.PingMaximumTime)
	}
	d.Traceroute = TracerouteResult{State: str(datamodel.TraceRouteState), Host: str(datamodel.TraceRouteHost), Hops: []Hop{}}
	if done(d.Traceroute.State) || d.Traceroute.State == "Error_MaxHopCountExceeded" {
		d.Traceroute.ResponseMs = num(datamodel.TraceRouteResponseTime)
		d.Traceroute.Hops = readHops(doc, num(datamodel.TraceRouteHopCount))
	}
	d.Neighbours = readNeighbours(doc, scanState(str(datamodel.NeighbourScanState), str(datamodel.NeighbourScanState5)), num(datamodel.NeighbourScanCount),
		map[string]*int64{Band24: num(datamodel.WiFiChannel24), Band5: num(datamodel.WiFiChannel5)})
	d.Running = d.Download.State == "Requested" || d.Upload.State == "Requested" || d.Ping.State == "Requested" ||
		d.Traceroute.State == "Requested" || d.Neighbours.State == "Requested"
	return d
}

// hopRE is a traceroute hop's value, TR-098 (Hop*) or TR-181.
var hopRE = regexp.MustCompile(`^(?:InternetGatewayDevice\.TraceRouteDiagnostics|Device\.IP\.Diagnostics\.TraceRoute)\.RouteHops\.(\d+)\.(?:Hop)?(Host|HostAddress|ErrorCode|RTTimes)$`)

// readHops lists the hops in instance order, the first count of them (the
// CPE may keep instances of a longer earlier route).
func readHops(doc *genieacs.Device, count *int64) []Hop {
	byNum := map[int]*Hop{}
	for path, v := range doc.Params {
		m := hopRE.FindStringSubmatch(path)
		if m == nil || v.Value == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		h := byNum[n]
		if h == nil {
			h = &Hop{RTTimesMs: []int64{}}
			byNum[n] = h
		}
		text := canonical(v.Value)
		switch m[2] {
		case "Host":
			h.Host = text
		case "HostAddress":
			h.Address = text
		case "ErrorCode":
			h.ErrorCode, _ = strconv.ParseInt(text, 10, 64)
		case "RTTimes":
			for _, t := range strings.Split(text, ",") {
				if ms, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
					h.RTTimesMs = append(h.RTTimesMs, ms)
				}
			}
		}
	}
	out := []Hop{}
	for _, n := range slices.Sorted(maps.Keys(byNum)) {
		if count != nil && int64(len(out)) >= *count {
			break
		}
		out = append(out, *byNum[n])
	}
	return out
}

func done(state string) bool { return state == "Completed" || state == "Complete" }

// mbps is bytes × 8 / seconds / 10^6, rounded to 0.1.
func mbps(bytes *int64, bom, eom *time.Time) *float64 {
	if bytes == nil || bom == nil || eom == nil || !eom.After(*bom) {
		return nil
	}
	v := float64(*bytes) * 8 / eom.Sub(*bom).Seconds() / 1e6
	v = math.Round(v*10) / 10
	return &v
}

// scanState is a neighbour scan's state where each radio scans on its own
// (second == "": one scan): running while either runs, failed when either
// failed, else complete.
func scanState(first, second string) string {
	switch {
	case second == "" || second == "None":
		return first
	case first == "Requested" || second == "Requested":
		return "Requested"
	case !done(first):
		return first
	case !done(second):
		return second
	}
	return first
}
