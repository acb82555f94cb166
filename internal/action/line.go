package action

import (
	"context"
	"maps"
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

// Line is what support asks first about a subscriber's line, as GenieACS
// last read it from the device (the health provision refreshes it at every
// periodic inform): the Wi-Fi names, the WAN connection and the uptime.
// Empty fields are values GenieACS does not hold.
type Line struct {
	DeviceID uuid.UUID `json:"deviceId"`
	SSID24   string    `json:"ssid24,omitempty"`
	SSID5    string    `json:"ssid5,omitempty"`
	// Has5 is false on a device without a 5 GHz radio.
	Has5 bool `json:"has5GHz"`
	// WANType is "PPPoE" or "IP"; WANStatus the connection's own word
	// (Connected, Disconnected, Up, ...).
	WANType   string `json:"wanType,omitempty"`
	WANStatus string `json:"wanStatus,omitempty"`
	WANIP     string `json:"wanIp,omitempty"`
	// PPPoEUsername is the login the CPE holds now (not the one FyberPay
	// wants: see the device's push state).
	PPPoEUsername string `json:"pppoeUsername,omitempty"`
	UptimeSeconds *int64 `json:"uptimeSeconds,omitempty"`
	// OpticalRxDBm and OpticalTxDBm are a GPON ONT's received and sent
	// optical power (dBm); OpticalLevel judges the received one against
	// the organization's thresholds (OpticalThresholds.Level).
	OpticalRxDBm *float64 `json:"opticalRxDbm,omitempty"`
	OpticalTxDBm *float64 `json:"opticalTxDbm,omitempty"`
	OpticalLevel string   `json:"opticalLevel,omitempty"`
	// ReadAt is when GenieACS last read these values from the device.
	ReadAt *time.Time `json:"readAt,omitempty"`
}

// Line reads a device's line essentials from GenieACS.
func (s *Service) Line(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Line, error) {
	dev, doc, err := s.document(ctx, a, deviceID, byRoot(lineProjection))
	if err != nil || doc == nil {
		return Line{DeviceID: dev.id}, err
	}
	l := readLine(doc, dev.identity())
	l.DeviceID = dev.id
	if l.OpticalRxDBm != nil {
		th, err := s.opticalThresholds(ctx, a.OrgID)
		if err != nil {
			return Line{}, err
		}
		l.OpticalLevel = th.Level(l.OpticalRxDBm)
	}
	return l, nil
}

func lineProjection(root string) []string {
	if root == datamodel.TR181 {
		return []string{"Device.WiFi.SSID", "Device.PPP.Interface", "Device.IP.Interface", "Device.DeviceInfo.UpTime", "Device.Optical.Interface"}
	}
	// WANDevice.1 holds the connections and the vendors' GPON interface.
	return []string{"InternetGatewayDevice.LANDevice.1.WLANConfiguration", "InternetGatewayDevice.WANDevice.1",
		"InternetGatewayDevice.DeviceInfo.UpTime"}
}

// wan181 matches a TR-181 IPv4 address's addressing type.
var wan181 = regexp.MustCompile(`^Device\.IP\.Interface\.(\d+)\.IPv4Address\.(\d+)\.AddressingType$`)

// readLine picks the line essentials out of a device document.
func readLine(doc *genieacs.Device, id datamodel.Identity) Line {
	var l Line
	seen := func(v genieacs.Param) {
		if !v.Timestamp.IsZero() && (l.ReadAt == nil || v.Timestamp.After(*l.ReadAt)) {
			t := v.Timestamp
			l.ReadAt = &t
		}
	}
	val := func(p datamodel.Param) (string, bool) {
		path, found := datamodel.Resolve(p, id, maps.Keys(doc.Params))
		if !found {
			return "", false
		}
		v, ok := doc.Params[path]
		if !ok || v.Value == nil {
			return "", false
		}
		seen(v)
		return canonical(v.Value), true
	}
	l.SSID24, _ = val(datamodel.WiFiSSID24)
	l.SSID5, l.Has5 = val(datamodel.WiFiSSID5)
	if u, ok := val(datamodel.UpTime); ok {
		if n, err := strconv.ParseInt(u, 10, 64); err == nil {
			l.UptimeSeconds = &n
		}
	}
	dbm := func(p datamodel.Param) *float64 {
		text, ok := val(p)
		if !ok {
			return nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil
		}
		f = datamodel.OpticalDBm(id.Root, f)
		return &f
	}
	l.OpticalRxDBm, l.OpticalTxDBm = dbm(datamodel.OpticalRxPower), dbm(datamodel.OpticalTxPower)
	if user, ok := val(datamodel.PPPoEUsername); ok {
		l.WANType, l.PPPoEUsername = "PPPoE", user
		l.WANStatus, _ = val(datamodel.PPPoEStatus)
	}
	if id.Root != datamodel.TR181 {
		l.WANIP, _ = val(datamodel.WANIPAddress) // the PPP connection's first
		if l.WANType == "" {
			if st, ok := val(datamodel.WANIPStatus); ok {
				l.WANType, l.WANStatus = "IP", st
			}
		}
		return l
	}
	// TR-181: IP.Interface.1 is usually the LAN bridge; the WAN's address is
	// the one the network gave (IPCP for PPP, DHCP), not a Static one.
	for _, k := range slices.Sorted(maps.Keys(doc.Params)) {
		m := wan181.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		kind := canonical(doc.Params[k].Value)
		if kind != "IPCP" && kind != "DHCP" {
			continue
		}
		prefix := "Device.IP.Interface." + m[1] + "."
		if v, ok := doc.Params[prefix+"IPv4Address."+m[2]+".IPAddress"]; ok {
			l.WANIP = canonical(v.Value)
			seen(v)
		}
		if l.WANType == "" {
			l.WANType = "IP"
			if v, ok := doc.Params[prefix+"Status"]; ok {
				l.WANStatus = canonical(v.Value)
				seen(v)
			}
		}
		break
	}
	return l
}

// OpticalThresholds judge a received optical power (dBm).
type OpticalThresholds struct{ Weak, Critical, Overload float64 }

// DefaultOptical suits GPON class B+ optics (receivers specified down to
// about −28 dBm).
func DefaultOptical() OpticalThresholds {
	return OpticalThresholds{Weak: -27, Critical: -30, Overload: -8}
}

// Level is "overload" above Overload, "good" down to Weak, "weak" down to
// Critical, "critical" below; "" when there is no reading.
func (th OpticalThresholds) Level(rx *float64) string {
	switch {
	case rx == nil:
		return ""
	case *rx > th.Overload:
		return "overload"
	case *rx >= th.Weak:
		return "good"
	case *rx >= th.Critical:
		return "weak"
	}
	return "critical"
}

// opticalThresholds are the organization's.
func (s *Service) opticalThresholds(ctx context.Context, orgID uuid.UUID) (OpticalThresholds, error) {
	var th OpticalThresholds
	err := s.pool.QueryRow(ctx, `SELECT optical_weak_dbm::float8, optical_critical_dbm::float8, optical_overload_dbm::float8
		FROM organizations WHERE id = $1`, orgID).Scan(&th.Weak, &th.Critical, &th.Overload)
	return th, err
}
