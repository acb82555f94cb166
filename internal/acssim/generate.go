package acssim

import (
	"fmt"
	"strconv"
	"strings"
)

// generators build the per-device value functions named in the specs with
// @name[:arg]. Static values hash the device seed; health values (flag h)
// also hash the inform count, so they move between informs and are the
// same for a given seed.
var generators = map[string]func(t *template, n *tnode, arg string) (genFunc, error){
	"serial": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return d.serial }, nil
	},
	"id": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return d.id }, nil
	},
	"swver": func(t *template, _ *tnode, _ string) (genFunc, error) {
		vs := t.prof.swVersions
		return func(_ *Sim, d *device, _ uint16) any { return vs[hashOf(d.seed, 0x5f)%uint64(len(vs))] }, nil
	},
	"informinterval": func(*template, *tnode, string) (genFunc, error) {
		return func(s *Sim, _ *device, _ uint16) any { return float64(s.informSecs) }, nil
	},
	"uptime": func(*template, *tnode, string) (genFunc, error) {
		return func(s *Sim, d *device, _ uint16) any { return float64(s.uptimeAt(d, d.lastInform)) }, nil
	},
	"cpu": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return float64(3 + d.tick(0xc0)%45) }, nil
	},
	"mem": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return float64(memPercent(d)) }, nil
	},
	"memfree": func(_ *template, _ *tnode, arg string) (genFunc, error) {
		total, err := strconv.Atoi(arg)
		if err != nil {
			return nil, fmt.Errorf("memfree total: %w", err)
		}
		return func(_ *Sim, d *device, _ uint16) any { return float64(total * (100 - memPercent(d)) / 100) }, nil
	},
	"assoc": func(_ *template, _ *tnode, arg string) (genFunc, error) {
		limit, salt := uint64(9), uint64(0xa2)
		if arg == "5" {
			limit, salt = 6, 0xa5
		}
		return func(_ *Sim, d *device, _ uint16) any { return float64(d.tick(salt) % limit) }, nil
	},
	"bytes": func(_ *template, n *tnode, arg string) (genFunc, error) {
		a, b, _ := strings.Cut(arg, ":")
		salt, err1 := strconv.ParseUint(a, 10, 64)
		rate, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bytes wants salt:rate, got %q", arg)
		}
		wrap := n.typ == tUint
		return func(s *Sim, d *device, _ uint16) any {
			up := float64(s.uptimeAt(d, d.lastInform))
			r := rate * (0.4 + float64(hashOf(d.seed, salt)%1200)/1000)
			v := up*r + float64(d.tick(salt)%uint64(rate+1))
			if wrap {
				return float64(uint32(uint64(v)))
			}
			return float64(uint64(v))
		}, nil
	},
	"rxpower": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return strconv.FormatFloat(rxPower(d), 'f', 2, 64) }, nil
	},
	"txpower": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any {
			base := 1.5 + float64(hashOf(d.seed, 0x72)%200)/100
			j := (float64(d.tick(0x73)%20) - 10) / 100
			return strconv.FormatFloat(base+j, 'f', 2, 64)
		}, nil
	},
	"temp": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return float64(38 + d.tick(0x74)%12) }, nil
	},
	"now": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return msTime(d.lastInform) }, nil
	},
	"mgmtip": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return mgmtIP(d) }, nil
	},
	"mgmtgw": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any {
			h := hashOf(d.seed, 0x10)
			return fmt.Sprintf("10.%d.0.1", 20+h%200)
		}, nil
	},
	"crurl": func(*template, *tnode, string) (genFunc, error) {
		return func(_ *Sim, d *device, _ uint16) any { return "http://" + mgmtIP(d) + ":7547/" }, nil
	},
	"mac": func(t *template, _ *tnode, arg string) (genFunc, error) {
		off, err := strconv.Atoi(arg)
		if err != nil {
			return nil, fmt.Errorf("mac offset: %w", err)
		}
		oui := t.prof.oui
		return func(_ *Sim, d *device, _ uint16) any {
			v := (uint32(hashOf(d.seed, 0x3ac)) + uint32(off)) & 0xffffff
			return fmt.Sprintf("%s:%s:%s:%02X:%02X:%02X", oui[0:2], oui[2:4], oui[4:6], v>>16, (v>>8)&0xff, v&0xff)
		}, nil
	},
	"hostmac": instGen(func(d *device, i uint64) any {
		h := hashOf(d.seed, 0x400+i)
		return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", byte(h)&0xfc, byte(h>>8), byte(h>>16), byte(h>>24), byte(h>>32), byte(h>>40))
	}),
	"hostip": func(t *template, n *tnode, arg string) (genFunc, error) {
		prefix := "192.168.100."
		switch t.prof.name {
		case ProfileZTEF660:
			prefix = "192.168.1."
		case ProfileTPLinkAX10:
			prefix = "192.168.0."
		}
		return instGen(func(d *device, i uint64) any {
			// 10..249: a host's address stays a valid one whatever its
			// number (added Wi-Fi clients count from 51).
			return prefix + strconv.FormatUint(10+(i*7+hashOf(d.seed, 0x500+i)%6)%240, 10)
		})(t, n, arg)
	},
	"hostname": instGen(func(d *device, i uint64) any {
		h := hashOf(d.seed, 0x600+i)
		names := []string{"android-%08x", "iPhone-%04x", "DESKTOP-%06X", "Galaxy-A14-%04x", "LAPTOP-%06X", "SmartTV-%04x", "iPad-%04x"}
		f := names[h%uint64(len(names))]
		return fmt.Sprintf(f, uint32(h>>8)&0xffffff)
	}),
	// rssi is a Wi-Fi client's signal (dBm): where it sits in the house,
	// and a few dB of movement from inform to inform.
	"rssi": instGen(func(d *device, i uint64) any {
		base := -42 - int64(hashOf(d.seed, 0x800+i)%36)
		return float64(base + int64(d.tick(0x810+i)%7) - 3)
	}),
	// active is a host that comes and goes: a phone that leaves the house
	// is not active at one inform in three or so.
	"active": instGen(func(d *device, i uint64) any {
		return d.tick(0x900+i)%3 != 0
	}),
	"lease": instGen(func(d *device, i uint64) any {
		return float64(86400 - int64((uint64(d.lastInform/1000)+hashOf(d.seed, 0x700+i))%86400))
	}),
	"ssid": func(t *template, _ *tnode, arg string) (genFunc, error) {
		prefix := t.prof.ssidPrefix
		tp := t.prof.name == ProfileTPLinkAX10
		return func(_ *Sim, d *device, _ uint16) any {
			v := (uint32(hashOf(d.seed, 0x3ac)) + 3) & 0xffff
			tail := fmt.Sprintf("%04X", v)
			switch arg {
			case "5":
				if tp {
					return prefix + tail + "_5G"
				}
				return prefix + tail + "-5G"
			case "24g":
				return prefix + "Guest_" + tail
			case "5g":
				return prefix + "Guest_" + tail + "_5G"
			}
			return prefix + tail
		}, nil
	},
	"chan": func(_ *template, _ *tnode, arg string) (genFunc, error) {
		chans := []float64{1, 6, 11}
		if arg == "5" {
			chans = []float64{36, 40, 44, 48, 149, 153, 157, 161}
		}
		return func(_ *Sim, d *device, _ uint16) any { return chans[hashOf(d.seed, 0xc4)%uint64(len(chans))] }, nil
	},
	"pppstatus": pppGen(func(_ *Sim, _ *device, st pppState) any {
		switch st {
		case pppUp:
			return "Connected"
		case pppDown:
			return "Disconnected"
		}
		return "Unconfigured"
	}),
	"pppifstatus": pppGen(func(_ *Sim, _ *device, st pppState) any {
		if st == pppUp {
			return "Up"
		}
		return "Down"
	}),
	"ppperror": pppGen(func(_ *Sim, _ *device, st pppState) any {
		switch st {
		case pppUp:
			return "ERROR_NONE"
		case pppDown:
			return "ERROR_USER_DISCONNECT"
		}
		return "ERROR_NOT_ENABLED_FOR_INTERNET"
	}),
	"pppip": pppGen(func(_ *Sim, d *device, st pppState) any {
		if st != pppUp {
			return ""
		}
		h := hashOf(d.seed, 0x1b)
		return fmt.Sprintf("100.%d.%d.%d", 64+h%64, (h>>8)%256, 2+(h>>16)%250)
	}),
	"pppgw": pppGen(func(_ *Sim, _ *device, st pppState) any {
		if st != pppUp {
			return ""
		}
		return "100.64.0.1"
	}),
	"pppdns": pppGen(func(_ *Sim, _ *device, st pppState) any {
		if st != pppUp {
			return ""
		}
		return "41.90.0.2,41.90.0.3"
	}),
	"pppuptime": pppGen(func(s *Sim, d *device, st pppState) any {
		if st != pppUp {
			return float64(0)
		}
		return float64(max(0, s.uptimeAt(d, d.lastInform)-25))
	}),
	"dns": func(_ *template, _ *tnode, arg string) (genFunc, error) {
		v := "41.90.0.2"
		if arg == "2" {
			v = "41.90.0.3"
		}
		return func(*Sim, *device, uint16) any { return v }, nil
	},
	"defconn": func(_ *template, _ *tnode, arg string) (genFunc, error) {
		v := "InternetGatewayDevice.WANDevice.1.WANConnectionDevice." + arg + ".WANPPPConnection.1"
		return func(*Sim, *device, uint16) any { return v }, nil
	},
}

// instGen makes a generator whose argument is a host number, or "i" for the
// instance number of an instance added with addObject.
func instGen(f func(d *device, i uint64) any) func(*template, *tnode, string) (genFunc, error) {
	return func(_ *template, _ *tnode, arg string) (genFunc, error) {
		if arg == "i" {
			return func(_ *Sim, d *device, inst uint16) any { return f(d, 50+uint64(inst)) }, nil
		}
		n, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("host number: %w", err)
		}
		return func(_ *Sim, d *device, _ uint16) any { return f(d, n) }, nil
	}
}

type pppState uint8

const (
	pppUnconfigured pppState = iota
	pppDown
	pppUp
)

// pppGen makes a generator that depends on the PPP configuration the
// device currently holds (written by identify or setParameterValues).
func pppGen(f func(s *Sim, d *device, st pppState) any) func(*template, *tnode, string) (genFunc, error) {
	return func(t *template, _ *tnode, _ string) (genFunc, error) {
		return func(s *Sim, d *device, _ uint16) any {
			st := pppUnconfigured
			if u, _ := s.rawValue(d, nref{node: t.ids.pppUser}).(string); u != "" {
				st = pppDown
				if en, _ := s.rawValue(d, nref{node: t.ids.pppEnable}).(bool); en {
					st = pppUp
				}
			}
			return f(s, d, st)
		}, nil
	}
}

func memPercent(d *device) int { return int(28 + d.tick(0xe1)%45) }

func mgmtIP(d *device) string {
	h := hashOf(d.seed, 0x10)
	return fmt.Sprintf("10.%d.%d.%d", 20+h%200, (h>>8)%256, 2+(h>>16)%250)
}

// Optical fates: most ONTs receive a healthy -15 to -24 dBm; one in
// degradedEvery sits at -27.3 to -29.3 dBm (a dirty connector: weak), and
// one in losingEvery loses light, 1 dB per inform from -21 dBm down to
// -38 dBm (a bent or cut fibre: weak, then critical).
const (
	degradedEvery = 20
	losingEvery   = 40
)

// rxPower is a device's received optical level now (dBm).
func rxPower(d *device) float64 {
	j := (float64(d.tick(0x71)%50) - 25) / 100
	switch {
	case hashOf(d.seed, 0x77)%losingEvery == 0:
		return max(-21-float64(d.informs), -38) + j
	case hashOf(d.seed, 0x76)%degradedEvery == 0:
		return -27.3 - float64(hashOf(d.seed, 0x70)%200)/100 + j
	}
	return -15.0 - float64(hashOf(d.seed, 0x70)%900)/100 + j
}
