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

// Host is one device on a CPE's LAN, as the CPE last reported it to
// GenieACS, with its Wi-Fi signal when the CPE lists it among a Wi-Fi
// network's associated devices.
type Host struct {
	Name string `json:"name,omitempty"`
	MAC  string `json:"mac,omitempty"`
	IP   string `json:"ip,omitempty"`
	// Interface is the CPE's own word for the link (TR-098: 802.11,
	// Ethernet; TR-181: the interface's path).
	Interface string `json:"interface,omitempty"`
	Active    *bool  `json:"active,omitempty"`
	// SignalDBm is the associated device's signal, where the CPE reports
	// one (TR-181 SignalStrength, vendor fields on TR-098).
	SignalDBm *int64 `json:"signalDbm,omitempty"`
}

// Hosts are what is connected behind a CPE.
type Hosts struct {
	DeviceID uuid.UUID `json:"deviceId"`
	Hosts    []Host    `json:"hosts"`
	// ReadAt is when GenieACS last read the hosts table from the device
	// (nil: never).
	ReadAt *time.Time `json:"readAt,omitempty"`
	// Unavailable says why the device has no hosts to read ("" when it
	// has, or when that is not known yet).
	Unavailable string `json:"unavailable,omitempty"`
}

// hostsTable is where a data model lists LAN hosts.
func hostsTable(root string) string {
	if root == datamodel.TR181 {
		return "Device.Hosts"
	}
	return "InternetGatewayDevice.LANDevice.1.Hosts"
}

func hostsProjection(root string) []string {
	if root == datamodel.TR181 {
		return []string{"Device.Hosts", "Device.WiFi.AccessPoint"}
	}
	return []string{"InternetGatewayDevice.LANDevice.1.Hosts", "InternetGatewayDevice.LANDevice.1.WLANConfiguration"}
}

var (
	hostRE = regexp.MustCompile(`^(?:InternetGatewayDevice\.LANDevice\.1|Device)\.Hosts\.Host\.(\d+)\.([A-Za-z0-9_]+)$`)
	// An associated device's MAC or signal, TR-098 or TR-181.
	assocRE = regexp.MustCompile(`^(.*)\.AssociatedDevice\.(\d+)\.(AssociatedDeviceMACAddress|MACAddress|AssociatedDeviceIPAddress|IPAddress|SignalStrength|X_HW_RSSI|X_ZTE-COM_RSSI)$`)
)

// Hosts reads what is connected behind the device, as GenieACS holds it.
func (s *Service) Hosts(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Hosts, error) {
	dev, doc, err := s.document(ctx, a, deviceID, byRoot(hostsProjection))
	out := Hosts{DeviceID: dev.id, Hosts: []Host{}, Unavailable: dev.caps.Why(datamodel.CapHosts)}
	if err != nil || doc == nil {
		return out, err
	}
	return readHosts(doc, dev.root(), out), nil
}

func readHosts(doc *genieacs.Device, root string, out Hosts) Hosts {
	byNum := map[int]*Host{}
	type assoc struct {
		network, mac, ip string
		dbm              *int64
	}
	clients := map[string]*assoc{} // by associated-device path
	for _, p := range slices.Sorted(maps.Keys(doc.Params)) {
		v := doc.Params[p]
		if m := hostRE.FindStringSubmatch(p); m != nil {
			n, _ := strconv.Atoi(m[1])
			h := byNum[n]
			if h == nil {
				h = &Host{}
				byNum[n] = h
			}
			text := canonical(v.Value)
			switch m[2] {
			case "HostName":
				h.Name = text
			case "MACAddress", "PhysAddress":
				h.MAC = strings.ToUpper(text)
			case "IPAddress":
				h.IP = text
			case "InterfaceType", "Layer1Interface":
				h.Interface = text
			case "Active":
				if v.Value != nil {
					b := text == "true" || text == "1"
					h.Active = &b
				}
			}
			continue
		}
		m := assocRE.FindStringSubmatch(p)
		if m == nil || v.Value == nil {
			continue
		}
		key := m[1] + ".AssociatedDevice." + m[2]
		c := clients[key]
		if c == nil {
			c = &assoc{network: m[1]}
			clients[key] = c
		}
		text := canonical(v.Value)
		switch m[3] {
		case "AssociatedDeviceMACAddress", "MACAddress":
			c.mac = strings.ToUpper(text)
		case "AssociatedDeviceIPAddress", "IPAddress":
			c.ip = text
		default:
			if n, err := strconv.ParseInt(text, 10, 64); err == nil {
				c.dbm = &n
			}
		}
	}
	index := map[string]int{}
	for _, n := range slices.Sorted(maps.Keys(byNum)) {
		h := *byNum[n]
		if h.MAC != "" {
			index[h.MAC] = len(out.Hosts)
		}
		out.Hosts = append(out.Hosts, h)
	}
	// Wi-Fi clients: the signal on the host with their MAC, or a host of
	// their own when the hosts table does not list them.
	for _, key := range slices.Sorted(maps.Keys(clients)) {
		c := clients[key]
		if c.mac == "" {
			continue
		}
		if i, ok := index[c.mac]; ok {
			out.Hosts[i].SignalDBm = c.dbm
			continue
		}
		active := true
		out.Hosts = append(out.Hosts, Host{MAC: c.mac, IP: c.ip, Interface: c.network, Active: &active, SignalDBm: c.dbm})
	}
	if t, ok := doc.Params[hostsTable(root)]; ok && !t.Timestamp.IsZero() {
		ts := t.Timestamp
		out.ReadAt = &ts
	}
	return out
}

// RefreshHosts has GenieACS read the hosts table and the Wi-Fi associated
// devices from the device (refreshObject tasks; technicians up); the
// first task's is returned.
func (s *Service) RefreshHosts(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (Task, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return Task{}, err
	}
	dev, err := device(ctx, s.pool, a.OrgID, deviceID)
	if err != nil {
		return Task{}, err
	}
	if err := dev.caps.Need(datamodel.CapHosts); err != nil {
		return Task{}, err
	}
	paths := hostsProjection(dev.root())
	tk, err := s.RefreshTree(ctx, a, deviceID, paths[0])
	if err != nil {
		return tk, err
	}
	_, err = s.RefreshTree(ctx, a, deviceID, paths[1])
	return tk, err
}
