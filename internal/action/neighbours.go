package action

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"

	"github.com/fyberpay/cpe/internal/genieacs"
)

// Network is one neighbouring Wi-Fi network a scan heard.
type Network struct {
	SSID      string `json:"ssid"`
	BSSID     string `json:"bssid,omitempty"`
	Band      string `json:"band"` // 2.4GHz or 5GHz
	Channel   int    `json:"channel"`
	SignalDBm int    `json:"signalDbm"`
	Security  string `json:"security,omitempty"`
}

// ChannelAdvice is, for one band, the channel the device is on and the
// one with the least interference from the networks the scan heard.
type ChannelAdvice struct {
	Band        string `json:"band"`
	Current     int    `json:"current,omitempty"`
	Recommended int    `json:"recommended"`
	Reason      string `json:"reason"`
}

// Neighbours is the latest neighbouring Wi-Fi scan.
type Neighbours struct {
	State    string          `json:"state"`
	Networks []Network       `json:"networks"`
	Advice   []ChannelAdvice `json:"advice"`
}

var resultRE = regexp.MustCompile(`^Device\.WiFi\.NeighboringWiFiDiagnostic\.Result\.(\d+)\.(SSID|BSSID|Channel|SignalStrength|OperatingFrequencyBand|SecurityModeEnabled)$`)

// zteResultRE is a ZTE radio's site survey result (radio 1: 2.4 GHz, 2:
// 5 GHz; RSSI in dBm).
var zteResultRE = regexp.MustCompile(`^InternetGatewayDevice\.LANDevice\.1\.WIFI\.Radio\.([12])\.X_ZTE-COM_NeighborAP\.(\d+)\.(SSID|BSSID|Channel|RSSI)$`)

// readNeighbours lists the networks of the last scan (the first count of
// the CPE's result instances), strongest first, and advises a channel for
// each band whose channel the device reported (channels: band → channel).
func readNeighbours(doc *genieacs.Device, state string, count *int64, channels map[string]*int64) Neighbours {
	out := Neighbours{State: state, Networks: []Network{}, Advice: []ChannelAdvice{}}
	if !done(state) {
		return out
	}
	byNum := map[int]*Network{}
	for path, v := range doc.Params {
		if v.Value == nil {
			continue
		}
		text := canonical(v.Value)
		m := resultRE.FindStringSubmatch(path)
		band := ""
		if m == nil {
			z := zteResultRE.FindStringSubmatch(path)
			if z == nil {
				continue
			}
			// Numbered apart per radio; the band is the radio's.
			band = Band24
			if z[1] == "2" {
				band = Band5
			}
			n, _ := strconv.Atoi(z[2])
			m = []string{"", strconv.Itoa(n*10 + int(z[1][0]-'0')), z[3]}
		} else if n, _ := strconv.Atoi(m[1]); count != nil && int64(n) > *count {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		nw := byNum[n]
		if nw == nil {
			nw = &Network{Band: band}
			byNum[n] = nw
		}
		switch m[2] {
		case "SSID":
			nw.SSID = text
		case "BSSID":
			nw.BSSID = text
		case "Channel":
			nw.Channel, _ = strconv.Atoi(text)
		case "SignalStrength", "RSSI":
			nw.SignalDBm, _ = strconv.Atoi(text)
		case "OperatingFrequencyBand":
			nw.Band = text
		case "SecurityModeEnabled":
			nw.Security = text
		}
	}
	for _, n := range slices.Sorted(maps.Keys(byNum)) {
		if nw := byNum[n]; nw.Channel > 0 {
			out.Networks = append(out.Networks, *nw)
		}
	}
	slices.SortStableFunc(out.Networks, func(a, b Network) int { return b.SignalDBm - a.SignalDBm })
	for _, band := range []string{Band24, Band5} {
		if ch := channels[band]; ch != nil {
			out.Advice = append(out.Advice, AdviseChannel(band, int(*ch), out.Networks))
		}
	}
	return out
}

// AdviseChannel picks the band's channel with the least interference: on
// 2.4 GHz one of the non-overlapping 1, 6 and 11, scoring each neighbour
// by its received power (mW) weighed by how far its channel overlaps
// (channels 5 or more apart do not); on 5 GHz (20 MHz channels do not
// overlap) the non-DFS channel with the least power on it. Ties keep the
// current channel, then the lowest.
func AdviseChannel(band string, current int, nets []Network) ChannelAdvice {
	cands := []int{1, 6, 11}
	if band == Band5 {
		cands = []int{36, 40, 44, 48, 149, 153, 157, 161}
	}
	load := func(ch int) float64 {
		var sum float64
		for _, n := range nets {
			if n.Band != band {
				continue
			}
			mw := math.Pow(10, float64(n.SignalDBm)/10)
			d := n.Channel - ch
			if d < 0 {
				d = -d
			}
			switch {
			case band == Band5 && d == 0:
				sum += mw
			case band == Band24 && d < 5:
				sum += mw * float64(5-d) / 5
			}
		}
		return sum
	}
	best, bestLoad := 0, math.Inf(1)
	for _, ch := range cands {
		l := load(ch)
		if l < bestLoad || (l == bestLoad && ch == current) {
			best, bestLoad = ch, l
		}
	}
	adv := ChannelAdvice{Band: band, Current: current, Recommended: best}
	heard := 0
	for _, n := range nets {
		if n.Band == band {
			heard++
		}
	}
	switch {
	case heard == 0:
		adv.Reason = "no neighbouring network heard on this band"
	case best == current:
		adv.Reason = "the current channel is already the least crowded"
	case current != 0 && load(current) > 0:
		adv.Reason = "channel " + strconv.Itoa(best) + " has " + strconv.Itoa(int(math.Round(100*(1-bestLoad/load(current))))) +
			" % less interference than channel " + strconv.Itoa(current)
	default:
		adv.Reason = "channel " + strconv.Itoa(best) + " is the least crowded"
	}
	return adv
}
