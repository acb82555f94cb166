package action

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// Bands.
const (
	Band24   = "2.4GHz"
	Band5    = "5GHz"
	BandBoth = "both"
)

// WiFiInput is a Wi-Fi change. Band is 2.4GHz, 5GHz or both (default: both
// bands the device has).
type WiFiInput struct {
	SSID     string `json:"ssid"`
	Password string `json:"password"`
	Band     string `json:"band,omitempty"`
}

var hex64 = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)

// validate checks the input before any task exists.
func (in *WiFiInput) validate() error {
	errs := validation.Errors{}
	switch {
	case in.SSID == "":
		errs.Add("ssid", "is required")
	case len(in.SSID) > 32:
		errs.Add("ssid", fmt.Sprintf("must be at most 32 bytes (it is %d)", len(in.SSID)))
	case !utf8.ValidString(in.SSID):
		errs.Add("ssid", "must be valid UTF-8 text")
	case strings.IndexFunc(in.SSID, unicode.IsControl) >= 0:
		errs.Add("ssid", "must not contain control characters")
	}
	switch {
	case in.Password == "":
		errs.Add("password", "is required")
	case hex64.MatchString(in.Password):
		// a raw 256-bit PSK
	case len(in.Password) < 8 || len(in.Password) > 63:
		errs.Add("password", "must be 8 to 63 characters (a WPA2 passphrase) or exactly 64 hex digits")
	case strings.IndexFunc(in.Password, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
		errs.Add("password", "must be printable ASCII characters (letters, digits, punctuation, spaces)")
	}
	switch strings.ToLower(strings.TrimSpace(in.Band)) {
	case "", "both", "all":
		in.Band = BandBoth
	case "2.4ghz", "2.4", "2g", "2.4 ghz":
		in.Band = Band24
	case "5ghz", "5", "5g", "5 ghz":
		in.Band = Band5
	default:
		errs.Add("band", "must be 2.4GHz, 5GHz or both")
	}
	return errs.Err()
}

func (in WiFiInput) bands() []string {
	if in.Band == BandBoth {
		return []string{Band24, Band5}
	}
	return []string{in.Band}
}

func bandLabel(b string) string {
	switch b {
	case Band24:
		return "2.4 GHz"
	case Band5:
		return "5 GHz"
	}
	return "2.4 and 5 GHz"
}

// possibleOn refuses a band the device does not have ("both" needs one of
// them: the task says which it set).
func (in WiFiInput) possibleOn(caps datamodel.Caps) error {
	switch in.Band {
	case Band24:
		return caps.Need(datamodel.CapWiFi24)
	case Band5:
		return caps.Need(datamodel.CapWiFi5)
	}
	if caps.Why(datamodel.CapWiFi5) == "" {
		return nil
	}
	return caps.Need(datamodel.CapWiFi24)
}

// SetWiFi changes a device's SSID and key on one or both bands. The desired
// Wi-Fi is kept (sealed) so the device gets it back after a factory reset.
func (s *Service) SetWiFi(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in WiFiInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := in.validate(); err != nil {
			return newTask{}, err
		}
		if err := in.possibleOn(dev.caps); err != nil {
			return newTask{}, err
		}
		return newTask{
			kind:    KindWiFi,
			summary: fmt.Sprintf("set Wi-Fi %q (%s)", in.SSID, bandLabel(in.Band)),
			req:     request{WiFi: &in},
			extra: func(ctx context.Context, tx pgx.Tx) error {
				for _, b := range in.bands() {
					sealed, kid := s.box.Seal([]byte(in.Password), cpe.WiFiAAD(dev.id, b))
					if _, err := tx.Exec(ctx, `INSERT INTO cpe_wifi (device_id, band, ssid, password_enc, key_id) VALUES ($1, $2, $3, $4, $5)
						ON CONFLICT (device_id, band) DO UPDATE SET ssid = EXCLUDED.ssid, password_enc = EXCLUDED.password_enc,
							key_id = EXCLUDED.key_id, updated_at = now()`, dev.id, b, in.SSID, sealed, kid); err != nil {
						return fmt.Errorf("keep desired wifi: %w", err)
					}
				}
				return nil
			},
		}, nil
	})
}

// ParameterInput is POST /cpe/devices/:id/parameters.
type ParameterInput struct {
	Parameters []genieacs.ParameterValue `json:"parameters"`
	// ConnectionRequest wakes the device now (default true); false waits
	// for its next periodic inform.
	ConnectionRequest *bool `json:"connectionRequest,omitempty"`
}

// Types a raw parameter may be written as.
func Types() []string {
	return []string{"xsd:string", "xsd:boolean", "xsd:unsignedInt", "xsd:int", "xsd:unsignedLong", "xsd:long",
		"xsd:dateTime", "xsd:base64", "xsd:hexBinary"}
}

var (
	pathRE   = regexp.MustCompile(`^(InternetGatewayDevice|Device)(\.[A-Za-z0-9_-]+)+$`)
	secretRE = regexp.MustCompile(`(?i)(password|passphrase|presharedkey|secret|wepkey)$`)
)

// isSecretPath: values of these paths are never shown or compared.
func isSecretPath(p string) bool { return secretRE.MatchString(p[strings.LastIndex(p, ".")+1:]) }

// SetParameters writes raw TR-069 parameters (owners and admins). Paths
// are checked for syntax, then against the device's tree, read from the
// device first where GenieACS does not know them (unless the caller asked
// not to wake the device): a read-only or absent one is refused before
// anything is sent; the type comes from the tree, else from the input,
// else from the value. Without that read, a path the device lacks is sent
// and the read-back reports it.
func (s *Service) SetParameters(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in ParameterInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermAdvancedConfig, func(dev target) (newTask, error) {
		errs := validation.Errors{}
		switch {
		case len(in.Parameters) == 0:
			errs.Add("parameters", "give at least one [path, value, type?]")
		case len(in.Parameters) > 100:
			errs.Add("parameters", "at most 100 parameters at a time")
		}
		seen := map[string]bool{}
		for i, p := range in.Parameters {
			field := fmt.Sprintf("parameters[%d]", i)
			switch {
			case !pathRE.MatchString(p.Path):
				errs.Add(field, fmt.Sprintf("%q is not a parameter path (InternetGatewayDevice.… or Device.…, no wildcards, no trailing dot)", p.Path))
			case dev.dataModel != "" && !strings.HasPrefix(p.Path, dev.root()+"."):
				errs.Add(field, fmt.Sprintf("%s: this device uses the %s data model, so paths start with %s.", p.Path, dev.dataModel, dev.root()))
			case seen[p.Path]:
				errs.Add(field, p.Path+" is given twice")
			case p.Type != "" && !oneOf(p.Type, Types()):
				errs.Add(field, fmt.Sprintf("type %q is not one of %s", p.Type, strings.Join(Types(), ", ")))
			}
			seen[p.Path] = true
		}
		if err := errs.Err(); err != nil {
			return newTask{}, err
		}
		paths := make([]string, len(in.Parameters))
		for i, p := range in.Parameters {
			paths[i] = p.Path
		}
		tree, err := s.acs.GetDevice(ctx, dev.genieID, paths)
		if errors.Is(err, genieacs.ErrDeviceNotFound) {
			return newTask{}, validation.Errors{"device": "GenieACS does not know this device any more (deleted from GenieACS?)"}
		}
		if err != nil {
			return newTask{}, err
		}
		wake := in.ConnectionRequest == nil || *in.ConnectionRequest
		fresh := false
		if unknown := unknownParams(tree, paths); len(unknown) > 0 && wake {
			// GenieACS knows only what it fetched: read these now, so a type
			// or a read-only parameter is judged on what the device says.
			if tree, fresh, err = s.readFirst(ctx, dev.genieID, unknown, paths, tree); err != nil {
				return newTask{}, err
			}
		}
		out := make([]genieacs.ParameterValue, len(in.Parameters))
		var shown []string
		for i, p := range in.Parameters {
			field := fmt.Sprintf("parameters[%d]", i)
			node, known := tree.Params[p.Path]
			switch {
			case known && node.Object:
				errs.Add(field, p.Path+" is an object, not a parameter")
				continue
			case known && node.Writable != nil && !*node.Writable:
				errs.Add(field, p.Path+" is read-only on this device")
				continue
			}
			typ := p.Type
			if known && node.Type != "" {
				typ = node.Type
			}
			v, err := convert(p.Value, typ)
			if err != nil && isSecretPath(p.Path) {
				errs.Add(field, p.Path+": the value is not valid for this parameter") // never echo a secret
				continue
			} else if err != nil {
				errs.Add(field, p.Path+": "+err.Error())
				continue
			}
			if fresh && !known {
				errs.Add(field, "the device has no parameter "+p.Path)
				continue
			}
			if typ == "" {
				typ = typeOf(v)
			}
			out[i] = genieacs.ParameterValue{Path: p.Path, Value: v, Type: typ}
			if isSecretPath(p.Path) {
				shown = append(shown, p.Path+" = ••••")
			} else {
				shown = append(shown, fmt.Sprintf("%s = %s", p.Path, validation.Storable(canonical(v), 60)))
			}
		}
		if err := errs.Err(); err != nil {
			return newTask{}, err
		}
		req := request{Params: out, NoWake: in.ConnectionRequest != nil && !*in.ConnectionRequest}
		return newTask{kind: KindParameters, summary: "set " + strings.Join(shown, ", "), req: req}, nil
	})
}

// unknownParams lists the paths GenieACS does not know well enough to
// judge a write: absent, or without a type or writability.
func unknownParams(tree *genieacs.Device, paths []string) []string {
	var out []string
	for _, p := range paths {
		node, ok := tree.Params[p]
		if !ok || (!node.Object && (node.Type == "" || node.Writable == nil)) {
			out = append(out, p)
		}
	}
	return out
}

// readFirst has GenieACS read the unknown paths from the device now. fresh
// reports that it did (the device answered): what is still absent, the
// device lacks. A device that does not answer leaves tree as it was, and
// the stray read is deleted.
func (s *Service) readFirst(ctx context.Context, genieID string, unknown, paths []string, tree *genieacs.Device) (*genieacs.Device, bool, error) {
	res, err := s.acs.CreateTask(ctx, genieID, genieacs.GetParameterValues(unknown...), genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return tree, false, err
	}
	if res.Outcome != genieacs.OutcomeDone {
		if res.Task.ID != "" {
			_ = s.acs.DeleteTask(ctx, res.Task.ID)
		}
		return tree, false, nil
	}
	fresh, err := s.acs.GetDevice(ctx, genieID, paths)
	if err != nil {
		return tree, false, err
	}
	return fresh, true, nil
}

// convert checks a value against its type and returns what GenieACS
// should be sent (bool for booleans, int64 for integers, else a string).
func convert(v any, typ string) (any, error) {
	switch typ {
	case "xsd:boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case float64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return true, nil
			case "false", "0":
				return false, nil
			}
		}
		return nil, fmt.Errorf("%v is not a boolean (true, false, 1 or 0)", v)
	case "xsd:int", "xsd:unsignedInt", "xsd:long", "xsd:unsignedLong":
		var n int64
		switch x := v.(type) {
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("%v is not a whole number", v)
			}
			n = int64(x)
		case string:
			var err error
			if n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
				return nil, fmt.Errorf("%q is not a whole number", x)
			}
		default:
			return nil, fmt.Errorf("%v is not a whole number", v)
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		switch typ {
		case "xsd:int":
			lo, hi = math.MinInt32, math.MaxInt32
		case "xsd:unsignedInt":
			lo, hi = 0, math.MaxUint32
		case "xsd:unsignedLong":
			lo = 0
		}
		if n < lo || n > hi {
			return nil, fmt.Errorf("%d is out of range for %s", n, typ)
		}
		return n, nil
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case bool:
		if typ == "" {
			return x, nil
		}
		s = strconv.FormatBool(x)
	case float64:
		if typ == "" {
			if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
				return int64(x), nil
			}
			return nil, fmt.Errorf("%v: give a type for decimal values", v)
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return nil, fmt.Errorf("a value is required")
	default:
		return nil, fmt.Errorf("the value must be a string, number or boolean")
	}
	if len(s) > 4096 {
		return nil, fmt.Errorf("the value is longer than 4096 bytes")
	}
	switch typ {
	case "xsd:dateTime":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return nil, fmt.Errorf("%q is not a date-time such as 2026-01-02T15:04:05Z", s)
		}
	case "xsd:base64":
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, fmt.Errorf("the value is not base64")
		}
	case "xsd:hexBinary":
		if _, err := hex.DecodeString(s); err != nil {
			return nil, fmt.Errorf("the value is not hex")
		}
	}
	return s, nil
}

func typeOf(v any) string {
	switch x := v.(type) {
	case bool:
		return "xsd:boolean"
	case int64:
		if x < 0 {
			return "xsd:int"
		}
		return "xsd:unsignedInt"
	}
	return "xsd:string"
}

// canonical is a value's text form for comparisons and summaries.
func canonical(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Reboot reboots a device.
func (s *Service) Reboot(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(target) (newTask, error) {
		return newTask{kind: KindReboot, summary: "reboot"}, nil
	})
}

// FactoryReset resets a device to factory defaults; identify gives it its
// configuration back at the BOOTSTRAP that follows.
func (s *Service) FactoryReset(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(target) (newTask, error) {
		return newTask{kind: KindFactoryReset, summary: "factory reset"}, nil
	})
}

// ConfirmedFactoryReset is FactoryReset once the person has typed the
// device's serial (its label form or as it reports it; case and spaces
// ignored): a reset wipes the subscriber's settings, so the page asks for
// proof of which device is meant.
func (s *Service) ConfirmedFactoryReset(ctx context.Context, a actor.Actor, deviceID uuid.UUID, typed string) (Task, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Task{}, err
	}
	d, err := s.devices.Get(ctx, a, deviceID)
	if err != nil {
		return Task{}, err
	}
	typed = strings.ToUpper(strings.TrimSpace(typed))
	if typed != d.Serial && typed != strings.ToUpper(d.ReportedSerial) {
		return Task{}, validation.Errors{"confirm": "type the serial " + d.Serial + " exactly to confirm"}
	}
	return s.FactoryReset(ctx, a, deviceID)
}

// Refresh re-reads a device's health values now.
func (s *Service) Refresh(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(target) (newTask, error) {
		return newTask{kind: KindRefresh, summary: "refresh health values"}, nil
	})
}

// SpeedTestInput is POST /cpe/devices/:id/speed-test.
type SpeedTestInput struct {
	DownloadURL string `json:"downloadUrl,omitempty"`
}

// SpeedTestFile is the file the default speed test downloads.
const SpeedTestFile = "fyberpay-speedtest-10MB.bin"

// SpeedTest runs a TR-143 download test on the device.
func (s *Service) SpeedTest(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in SpeedTestInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := dev.caps.Need(datamodel.CapDownloadTest); err != nil {
			return newTask{}, err
		}
		in.DownloadURL = strings.TrimSpace(in.DownloadURL)
		if in.DownloadURL == "" {
			if s.FSURL == "" {
				return newTask{}, validation.Errors{"downloadUrl": "is required (GENIEACS_FS_URL is not set, so there is no default)"}
			}
			in.DownloadURL = strings.TrimSuffix(s.FSURL, "/") + "/" + SpeedTestFile
		}
		u, err := url.Parse(in.DownloadURL)
		switch {
		case len(in.DownloadURL) > 256:
			return newTask{}, validation.Errors{"downloadUrl": "must be at most 256 characters (TR-143)"}
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return newTask{}, validation.Errors{"downloadUrl": "must be an http:// or https:// URL"}
		}
		return newTask{kind: KindSpeedTest, summary: "speed test from " + u.Host + u.Path, req: request{Speed: &in}}, nil
	})
}

// UploadTestInput is POST /cpe/devices/:id/upload-test: the URL the CPE
// sends to (an HTTP server that takes a PUT of TestFileLength bytes) and
// how many MiB (default 10, at most 1024).
type UploadTestInput struct {
	UploadURL string `json:"uploadUrl"`
	MiB       int    `json:"mib,omitempty"`
}

// UploadTest runs a TR-143 upload test on the device (technicians up).
func (s *Service) UploadTest(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in UploadTestInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := dev.caps.Need(datamodel.CapUploadTest); err != nil {
			return newTask{}, err
		}
		in.UploadURL = strings.TrimSpace(in.UploadURL)
		errs := validation.Errors{}
		u, err := url.Parse(in.UploadURL)
		switch {
		case in.UploadURL == "":
			errs.Add("uploadUrl", "is required: an HTTP server that takes the CPE's PUT")
		case len(in.UploadURL) > 256:
			errs.Add("uploadUrl", "must be at most 256 characters (TR-143)")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs.Add("uploadUrl", "must be an http:// or https:// URL")
		}
		if in.MiB == 0 {
			in.MiB = 10
		}
		if in.MiB < 1 || in.MiB > 1024 {
			errs.Add("mib", "must be between 1 and 1024")
		}
		if err := errs.Err(); err != nil {
			return newTask{}, err
		}
		return newTask{kind: KindSpeedTest, summary: fmt.Sprintf("upload test of %d MiB to %s%s", in.MiB, u.Host, u.Path), req: request{Upload: &in}}, nil
	})
}

// PingInput is POST /cpe/devices/:id/ping.
type PingInput struct {
	Host        string `json:"host"`
	Repetitions int    `json:"repetitions,omitempty"` // 1–100, default 10
	TimeoutMs   int    `json:"timeoutMs,omitempty"`   // default 5000
}

var hostLabelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// ValidHost reports whether h is an IP address or a DNS host name.
func ValidHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if !hostLabelRE.MatchString(l) {
			return false
		}
	}
	// A name of digits and dots only would be a malformed address.
	_, err := strconv.Atoi(labels[len(labels)-1])
	return err != nil
}

// checkHost trims a diagnostic's target host and checks it.
func checkHost(errs validation.Errors, host *string) {
	*host = strings.TrimSpace(*host)
	switch {
	case *host == "":
		errs.Add("host", "is required")
	case !ValidHost(*host):
		errs.Add("host", "must be a host name (such as example.com) or an IP address")
	}
}

// inRange defaults a number left at 0 and checks it is within [lo, hi].
func inRange(errs validation.Errors, field string, v *int, def, lo, hi int, reason string) {
	if *v == 0 {
		*v = def
	}
	if *v < lo || *v > hi {
		errs.Add(field, reason)
	}
}

func (in *PingInput) validate() error {
	errs := validation.Errors{}
	checkHost(errs, &in.Host)
	inRange(errs, "repetitions", &in.Repetitions, 10, 1, 100, "must be between 1 and 100")
	inRange(errs, "timeoutMs", &in.TimeoutMs, 5000, 100, 60000, "must be between 100 and 60000 milliseconds")
	return errs.Err()
}

// Ping runs an IP ping from the device.
func (s *Service) Ping(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in PingInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := dev.caps.Need(datamodel.CapPing); err != nil {
			return newTask{}, err
		}
		if err := in.validate(); err != nil {
			return newTask{}, err
		}
		return newTask{kind: KindPing, summary: fmt.Sprintf("ping %s ×%d", in.Host, in.Repetitions), req: request{Ping: &in}}, nil
	})
}

// TracerouteInput is POST /cpe/devices/:id/traceroute.
type TracerouteInput struct {
	Host    string `json:"host"`
	MaxHops int    `json:"maxHops,omitempty"` // 1–64, default 30
	Tries   int    `json:"tries,omitempty"`   // 1–3, default 3
}

func (in *TracerouteInput) validate() error {
	errs := validation.Errors{}
	checkHost(errs, &in.Host)
	inRange(errs, "maxHops", &in.MaxHops, 30, 1, 64, "must be between 1 and 64")
	inRange(errs, "tries", &in.Tries, 3, 1, 3, "must be between 1 and 3")
	return errs.Err()
}

// Traceroute runs a TR-143 traceroute from the device (technicians up):
// the hops with their round-trip times.
func (s *Service) Traceroute(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in TracerouteInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := dev.caps.Need(datamodel.CapTraceroute); err != nil {
			return newTask{}, err
		}
		if err := in.validate(); err != nil {
			return newTask{}, err
		}
		return newTask{kind: KindTraceroute, summary: fmt.Sprintf("traceroute to %s", in.Host), req: request{Trace: &in}}, nil
	})
}

// NeighbourScan has the device scan the neighbouring Wi-Fi networks
// (TR-181 NeighboringWiFiDiagnostic; technicians up): the networks per
// channel and a channel to use.
func (s *Service) NeighbourScan(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := dev.caps.Need(datamodel.CapNeighbourScan); err != nil {
			return newTask{}, err
		}
		return newTask{kind: KindWiFiScan, summary: "scan the neighbouring Wi-Fi", req: request{Scan: true}}, nil
	})
}

// ChannelInput is POST /cpe/devices/:id/wifi-channel: a band's channel,
// set by hand (the radio's automatic choice off).
type ChannelInput struct {
	Band    string `json:"band"` // 2.4GHz or 5GHz
	Channel int    `json:"channel"`
}

func (in ChannelInput) validate() error {
	errs := validation.Errors{}
	switch in.Band {
	case Band24:
		if in.Channel < 1 || in.Channel > 13 {
			errs.Add("channel", "must be a 2.4 GHz channel, 1 to 13")
		}
	case Band5:
		if !slices.Contains(channels5, in.Channel) {
			errs.Add("channel", "must be a 5 GHz channel: 36, 40, 44, 48, 52 … 64, 100 … 144 or 149 … 165")
		}
	default:
		errs.Add("band", "must be 2.4GHz or 5GHz")
	}
	return errs.Err()
}

// channels5 are the 20 MHz 5 GHz channels.
var channels5 = []int{36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140, 144, 149, 153, 157, 161, 165}

// SetChannel sets a band's Wi-Fi channel (technicians up), read back like
// every write.
func (s *Service) SetChannel(ctx context.Context, a actor.Actor, deviceID uuid.UUID, in ChannelInput) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if err := in.validate(); err != nil {
			return newTask{}, err
		}
		c := datamodel.CapWiFi24
		if in.Band == Band5 {
			c = datamodel.CapWiFi5
		}
		if err := dev.caps.Need(c); err != nil {
			return newTask{}, err
		}
		return newTask{kind: KindWiFiChannel, summary: fmt.Sprintf("set the %s channel to %d", bandLabel(in.Band), in.Channel), req: request{Chan: &in}}, nil
	})
}
