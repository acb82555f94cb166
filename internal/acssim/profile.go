package acssim

import (
	"fmt"
	"strings"
)

// Profile names accepted in Options.Profiles and AddDevice.
const (
	ProfileHuaweiHG8245H = "huawei-hg8245h"
	ProfileZTEF660       = "zte-f660"
	ProfileTPLinkAX10    = "tplink-archer-ax10"
	// ProfileTendaN301 is a single-band (2.4 GHz) TR-181 router whose WAN
	// is plain DHCP: no PPP object and no diagnostics objects at all. It
	// is not in the default mix; name it in Options.Profiles or AddDevice.
	ProfileTendaN301 = "tenda-n301"
)

// profile is one CPE model: identity, serial format and one or more
// template variants (the Huawei PPP connection sits in a different
// WANConnectionDevice from unit to unit).
type profile struct {
	name, manufacturer, oui, productClass, root string
	swVersions                                  []string // [0] is the most common
	ssidPrefix                                  string
	serial                                      func(r *rng) string
	variants                                    []*template
	memTotal                                    int // KiB, for MemoryStatus
	tr181                                       bool
}

// profileOrder is the default mix.
var profileOrder = []string{ProfileHuaweiHG8245H, ProfileZTEF660, ProfileTPLinkAX10}

func hexSerial(prefix string) func(r *rng) string {
	return func(r *rng) string { return fmt.Sprintf("%s%08X", prefix, uint32(r.next())) }
}

// loadProfiles builds the immutable templates once per Sim.
func loadProfiles() (map[string]*profile, error) {
	ps := map[string]*profile{
		ProfileHuaweiHG8245H: {
			name: ProfileHuaweiHG8245H, manufacturer: "Huawei Technologies Co., Ltd", oui: "00259E",
			productClass: "HG8245H", root: "InternetGatewayDevice",
			swVersions: []string{"V3R017C10S135", "V3R017C10S135", "V3R017C10S135", "V3R017C10S120"},
			ssidPrefix: "HUAWEI-", serial: hexSerial("48575443"), memTotal: 262144,
		},
		ProfileZTEF660: {
			name: ProfileZTEF660, manufacturer: "ZTE", oui: "344B50", productClass: "F660",
			root: "InternetGatewayDevice", swVersions: []string{"V6.0.10P2N12", "V6.0.10P2N12", "V6.0.10P2N9"},
			ssidPrefix: "ZTE-", serial: hexSerial("ZTEG"), memTotal: 131072,
		},
		ProfileTPLinkAX10: {
			name: ProfileTPLinkAX10, manufacturer: "TP-Link", oui: "50C7BF", productClass: "Archer AX10",
			root: "Device", swVersions: []string{"1.3.2 Build 20260101 rel.1234", "1.3.2 Build 20260101 rel.1234", "1.2.1 Build 20250612 rel.52914"},
			ssidPrefix: "TP-Link_", serial: func(r *rng) string { return fmt.Sprintf("%013d", r.next()%1e13) },
			memTotal: 262144, tr181: true,
		},
		ProfileTendaN301: {
			name: ProfileTendaN301, manufacturer: "Tenda", oui: "C83A35", productClass: "N301",
			root: "Device", swVersions: []string{"V12.01.01.48_multi", "V12.01.01.48_multi", "V12.01.01.33_multi"},
			ssidPrefix: "Tenda_", serial: func(r *rng) string { return fmt.Sprintf("N301%010d", r.next()%1e10) },
			memTotal: 32768, tr181: true,
		},
	}
	hw := ps[ProfileHuaweiHG8245H]
	for _, v := range []struct{ ppp, mgmt string }{{"1", "2"}, {"2", "1"}, {"4", "1"}} {
		spec := strings.NewReplacer("{ppp}", v.ppp, "{mgmt}", v.mgmt).Replace(huaweiSpec)
		ppp := "InternetGatewayDevice.WANDevice.1.WANConnectionDevice." + v.ppp + ".WANPPPConnection.1."
		wl := "InternetGatewayDevice.LANDevice.1.WLANConfiguration."
		t, err := buildTemplate(hw, hw.root, spec, logicalPaths{
			pppEnable: ppp + "Enable", pppUser: ppp + "Username", pppPass: ppp + "Password",
			ssid:         [2]string{wl + "1.SSID", wl + "5.SSID"},
			key:          [2]string{wl + "1.PreSharedKey.1.PreSharedKey", wl + "5.PreSharedKey.1.PreSharedKey"},
			informEnable: "InternetGatewayDevice.ManagementServer.PeriodicInformEnable",
			informIntv:   "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
			uptime:       "InternetGatewayDevice.DeviceInfo.UpTime", swVersion: "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
			dlDiag: "InternetGatewayDevice.DownloadDiagnostics", ping: "InternetGatewayDevice.IPPingDiagnostics",
			ulDiag: "InternetGatewayDevice.UploadDiagnostics", trace: "InternetGatewayDevice.TraceRouteDiagnostics",
		})
		if err != nil {
			return nil, err
		}
		hw.variants = append(hw.variants, t)
	}
	zte := ps[ProfileZTEF660]
	{
		ppp := "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1."
		wl := "InternetGatewayDevice.LANDevice.1.WLANConfiguration."
		t, err := buildTemplate(zte, zte.root, zteSpec, logicalPaths{
			pppEnable: ppp + "Enable", pppUser: ppp + "Username", pppPass: ppp + "Password",
			ssid:         [2]string{wl + "1.SSID", wl + "5.SSID"},
			key:          [2]string{wl + "1.PreSharedKey.1.KeyPassphrase", wl + "5.PreSharedKey.1.KeyPassphrase"},
			informEnable: "InternetGatewayDevice.ManagementServer.PeriodicInformEnable",
			radioScan:    [2]string{"InternetGatewayDevice.LANDevice.1.WIFI.Radio.1", "InternetGatewayDevice.LANDevice.1.WIFI.Radio.2"},
			informIntv:   "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
			uptime:       "InternetGatewayDevice.DeviceInfo.UpTime", swVersion: "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
			dlDiag: "InternetGatewayDevice.DownloadDiagnostics", ping: "InternetGatewayDevice.IPPingDiagnostics",
			ulDiag: "InternetGatewayDevice.UploadDiagnostics", trace: "InternetGatewayDevice.TraceRouteDiagnostics",
		})
		if err != nil {
			return nil, err
		}
		zte.variants = []*template{t}
	}
	tp := ps[ProfileTPLinkAX10]
	{
		t, err := buildTemplate(tp, tp.root, tplinkSpec, logicalPaths{
			pppEnable: "Device.PPP.Interface.1.Enable", pppUser: "Device.PPP.Interface.1.Username", pppPass: "Device.PPP.Interface.1.Password",
			ssid:         [2]string{"Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.3.SSID"},
			key:          [2]string{"Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "Device.WiFi.AccessPoint.3.Security.KeyPassphrase"},
			informEnable: "Device.ManagementServer.PeriodicInformEnable", informIntv: "Device.ManagementServer.PeriodicInformInterval",
			uptime: "Device.DeviceInfo.UpTime", swVersion: "Device.DeviceInfo.SoftwareVersion",
			dlDiag: "Device.IP.Diagnostics.DownloadDiagnostics", ping: "Device.IP.Diagnostics.IPPing",
			ulDiag: "Device.IP.Diagnostics.UploadDiagnostics", trace: "Device.IP.Diagnostics.TraceRoute",
			scan: "Device.WiFi.NeighboringWiFiDiagnostic",
		})
		if err != nil {
			return nil, err
		}
		tp.variants = []*template{t}
	}
	tn := ps[ProfileTendaN301]
	{
		t, err := buildTemplate(tn, tn.root, tendaSpec, logicalPaths{
			ssid: [2]string{"Device.WiFi.SSID.1.SSID"}, key: [2]string{"Device.WiFi.AccessPoint.1.Security.KeyPassphrase"},
			informEnable: "Device.ManagementServer.PeriodicInformEnable", informIntv: "Device.ManagementServer.PeriodicInformInterval",
			uptime: "Device.DeviceInfo.UpTime", swVersion: "Device.DeviceInfo.SoftwareVersion",
		})
		if err != nil {
			return nil, err
		}
		tn.variants = []*template{t}
	}
	return ps, nil
}

// Specs: <path relative to the root> <type> <flags> [value]. See
// buildTemplate for the format. Paths are prefixed with the root below.

const huaweiSpec = `
DeviceInfo.Manufacturer                         str  r   Huawei Technologies Co., Ltd
DeviceInfo.ManufacturerOUI                      str  r   00259E
DeviceInfo.ModelName                            str  r   HG8245H
DeviceInfo.Description                          str  r   EchoLife HG8245H GPON Terminal
DeviceInfo.ProductClass                         str  r   HG8245H
DeviceInfo.SerialNumber                         str  r   @serial
DeviceInfo.HardwareVersion                      str  ri  10C7.A
DeviceInfo.SoftwareVersion                      str  ri  @swver
DeviceInfo.AdditionalSoftwareVersion            str  r   V3R017C10S135SPC001
DeviceInfo.SpecVersion                          str  ri  1.0
DeviceInfo.ProvisioningCode                     str  wi
DeviceInfo.UpTime                               uint rh  @uptime
DeviceInfo.DeviceLog                            str  r
DeviceInfo.X_HW_CpuUsed                         uint rh  @cpu
DeviceInfo.X_HW_MemUsed                         uint rh  @mem
ManagementServer.URL                            str  w   http://acs.fyberpay.local:7547/
ManagementServer.Username                       str  w   hgw
ManagementServer.Password                       str  ws
ManagementServer.PeriodicInformEnable           bool w   true
ManagementServer.PeriodicInformInterval         uint w   @informinterval
ManagementServer.PeriodicInformTime             date w
ManagementServer.ParameterKey                   str  ri
ManagementServer.ConnectionRequestURL           str  ri  @crurl
ManagementServer.ConnectionRequestUsername      str  w   @id
ManagementServer.ConnectionRequestPassword      str  ws
ManagementServer.UpgradesManaged                bool w   false
ManagementServer.STUNEnable                     bool w   false
WANDevice.1.WANConnectionNumberOfEntries        uint r   2
WANDevice.1.WANCommonInterfaceConfig.WANAccessType               str  r  GPON
WANDevice.1.WANCommonInterfaceConfig.Layer1UpstreamMaxBitRate    uint r  1244000000
WANDevice.1.WANCommonInterfaceConfig.Layer1DownstreamMaxBitRate  uint r  2488000000
WANDevice.1.WANCommonInterfaceConfig.PhysicalLinkStatus          str  r  Up
WANDevice.1.WANCommonInterfaceConfig.TotalBytesSent              uint rh @bytes:11:30000
WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived          uint rh @bytes:12:250000
WANDevice.1.X_GponInterafceConfig.Status                  str  r  Up
WANDevice.1.X_GponInterafceConfig.RXPower                 str  rh @rxpower
WANDevice.1.X_GponInterafceConfig.TXPower                 str  rh @txpower
WANDevice.1.X_GponInterafceConfig.TransceiverTemperature  int  rh @temp
WANDevice.1.X_GponInterafceConfig.Stats.BytesSent         uint rh @bytes:13:32000
WANDevice.1.X_GponInterafceConfig.Stats.BytesReceived     uint rh @bytes:14:260000
WANDevice.1.X_GponInterafceConfig.Stats.PacketsSent       uint rh @bytes:15:40
WANDevice.1.X_GponInterafceConfig.Stats.PacketsReceived   uint rh @bytes:16:220
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnectionNumberOfEntries   uint r 1
WANDevice.1.WANConnectionDevice.{mgmt}.WANPPPConnectionNumberOfEntries  uint r 0
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.Enable              bool w true
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.Name                str  w 1_TR069_R_VID_46
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.ConnectionStatus    str  r Connected
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.ConnectionType      str  w IP_Routed
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.AddressingType      str  w DHCP
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.ExternalIPAddress   str  ri @mgmtip
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.SubnetMask          str  r 255.255.0.0
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.DefaultGateway      str  r @mgmtgw
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.DNSServers          str  w 10.10.0.53
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.MACAddress          str  r @mac:1
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.NATEnabled          bool w false
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.X_HW_VLAN           uint w 46
WANDevice.1.WANConnectionDevice.{mgmt}.WANIPConnection.1.X_HW_SERVICELIST    str  w TR069
WANDevice.1.WANConnectionDevice.{ppp}.WANIPConnectionNumberOfEntries    uint r 0
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnectionNumberOfEntries   uint r 1
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Enable                   bool w false
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Name                     str  w 2_INTERNET_R_VID_100
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.ConnectionStatus         str  r @pppstatus
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.ConnectionType           str  w IP_Routed
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.LastConnectionError      str  r @ppperror
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Username                 str  w
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Password                 str  ws
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.ExternalIPAddress        str  r @pppip
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.RemoteIPAddress          str  r @pppgw
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.DNSServers               str  w @pppdns
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.MACAddress               str  r @mac:2
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.MaxMRUSize               uint w 1492
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.NATEnabled               bool w true
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Uptime                   uint rh @pppuptime
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.X_HW_VLAN                uint w 100
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.X_HW_SERVICELIST         str  w INTERNET
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Stats.EthernetBytesSent       uint rh @bytes:21:30000
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Stats.EthernetBytesReceived   uint rh @bytes:22:240000
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Stats.EthernetPacketsSent     uint rh @bytes:23:35
WANDevice.1.WANConnectionDevice.{ppp}.WANPPPConnection.1.Stats.EthernetPacketsReceived uint rh @bytes:24:200
LANDevice.1.LANEthernetInterfaceNumberOfEntries              uint r 4
LANDevice.1.LANWLANConfigurationNumberOfEntries              uint r 2
LANDevice.1.LANHostConfigManagement.DHCPServerEnable         bool w true
LANDevice.1.LANHostConfigManagement.MinAddress               str  w 192.168.100.2
LANDevice.1.LANHostConfigManagement.MaxAddress               str  w 192.168.100.254
LANDevice.1.LANHostConfigManagement.SubnetMask               str  w 255.255.255.0
LANDevice.1.LANHostConfigManagement.DNSServers               str  w 192.168.100.1
LANDevice.1.LANHostConfigManagement.IPRouters                str  w 192.168.100.1
LANDevice.1.LANHostConfigManagement.DHCPLeaseTime            int  w 86400
LANDevice.1.LANHostConfigManagement.IPInterface.1.Enable                 bool w true
LANDevice.1.LANHostConfigManagement.IPInterface.1.IPInterfaceIPAddress   str  w 192.168.100.1
LANDevice.1.LANHostConfigManagement.IPInterface.1.IPInterfaceSubnetMask  str  w 255.255.255.0
LANDevice.1.LANEthernetInterfaceConfig.1.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.1.Status               str  r Up
LANDevice.1.LANEthernetInterfaceConfig.1.MACAddress           str  r @mac:16
LANDevice.1.LANEthernetInterfaceConfig.1.MaxBitRate           str  w Auto
LANDevice.1.LANEthernetInterfaceConfig.1.Stats.BytesSent      uint rh @bytes:31:90000
LANDevice.1.LANEthernetInterfaceConfig.1.Stats.BytesReceived  uint rh @bytes:32:12000
LANDevice.1.LANEthernetInterfaceConfig.2.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.2.Status               str  r NoLink
LANDevice.1.LANEthernetInterfaceConfig.2.MACAddress           str  r @mac:17
LANDevice.1.LANEthernetInterfaceConfig.2.MaxBitRate           str  w Auto
LANDevice.1.LANEthernetInterfaceConfig.2.Stats.BytesSent      uint r 0
LANDevice.1.LANEthernetInterfaceConfig.2.Stats.BytesReceived  uint r 0
LANDevice.1.LANEthernetInterfaceConfig.3.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.3.Status               str  r NoLink
LANDevice.1.LANEthernetInterfaceConfig.3.MACAddress           str  r @mac:18
LANDevice.1.LANEthernetInterfaceConfig.3.MaxBitRate           str  w Auto
LANDevice.1.LANEthernetInterfaceConfig.3.Stats.BytesSent      uint r 0
LANDevice.1.LANEthernetInterfaceConfig.3.Stats.BytesReceived  uint r 0
LANDevice.1.LANEthernetInterfaceConfig.4.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.4.Status               str  r Up
LANDevice.1.LANEthernetInterfaceConfig.4.MACAddress           str  r @mac:19
LANDevice.1.LANEthernetInterfaceConfig.4.MaxBitRate           str  w Auto
LANDevice.1.LANEthernetInterfaceConfig.4.Stats.BytesSent      uint rh @bytes:33:40000
LANDevice.1.LANEthernetInterfaceConfig.4.Stats.BytesReceived  uint rh @bytes:34:5000
LANDevice.1.Hosts.HostNumberOfEntries                uint r 3
LANDevice.1.Hosts.Host.1.IPAddress                   str  r @hostip:1
LANDevice.1.Hosts.Host.1.AddressSource               str  r DHCP
LANDevice.1.Hosts.Host.1.LeaseTimeRemaining          int  rh @lease:1
LANDevice.1.Hosts.Host.1.MACAddress                  str  r @hostmac:1
LANDevice.1.Hosts.Host.1.HostName                    str  r @hostname:1
LANDevice.1.Hosts.Host.1.InterfaceType               str  r 802.11
LANDevice.1.Hosts.Host.1.Active                      bool r true
LANDevice.1.Hosts.Host.2.IPAddress                   str  r @hostip:2
LANDevice.1.Hosts.Host.2.AddressSource               str  r DHCP
LANDevice.1.Hosts.Host.2.LeaseTimeRemaining          int  rh @lease:2
LANDevice.1.Hosts.Host.2.MACAddress                  str  r @hostmac:2
LANDevice.1.Hosts.Host.2.HostName                    str  r @hostname:2
LANDevice.1.Hosts.Host.2.InterfaceType               str  r Ethernet
LANDevice.1.Hosts.Host.2.Active                      bool r true
LANDevice.1.Hosts.Host.3.IPAddress                   str  r @hostip:3
LANDevice.1.Hosts.Host.3.AddressSource               str  r DHCP
LANDevice.1.Hosts.Host.3.LeaseTimeRemaining          int  rh @lease:3
LANDevice.1.Hosts.Host.3.MACAddress                  str  r @hostmac:3
LANDevice.1.Hosts.Host.3.HostName                    str  r @hostname:3
LANDevice.1.Hosts.Host.3.InterfaceType               str  r 802.11
LANDevice.1.Hosts.Host.3.Active                      bool rh @active:3
LANDevice.1.WLANConfiguration.1.Enable                        bool w true
LANDevice.1.WLANConfiguration.1.Status                        str  r Up
LANDevice.1.WLANConfiguration.1.SSID                          str  w @ssid:24
LANDevice.1.WLANConfiguration.1.BSSID                         str  r @mac:3
LANDevice.1.WLANConfiguration.1.Channel                       uint w @chan:24
LANDevice.1.WLANConfiguration.1.AutoChannelEnable             bool w true
LANDevice.1.WLANConfiguration.1.Standard                      str  w b,g,n
LANDevice.1.WLANConfiguration.1.BeaconType                    str  w 11i
LANDevice.1.WLANConfiguration.1.IEEE11iEncryptionModes        str  w AESEncryption
LANDevice.1.WLANConfiguration.1.IEEE11iAuthenticationMode     str  w PSKAuthentication
LANDevice.1.WLANConfiguration.1.SSIDAdvertisementEnabled      bool w true
LANDevice.1.WLANConfiguration.1.KeyPassphrase                 str  ws
LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey   str  ws
LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase  str  ws
LANDevice.1.WLANConfiguration.1.TotalAssociations             uint rh @assoc:24
LANDevice.1.WLANConfiguration.1.TotalBytesSent                uint rh @bytes:41:60000
LANDevice.1.WLANConfiguration.1.TotalBytesReceived            uint rh @bytes:42:9000
LANDevice.1.WLANConfiguration.1.X_HW_RFBand                   str  r 2.4GHz
LANDevice.1.WLANConfiguration.1.AssociatedDevice.                                   obj  w
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.AssociatedDeviceMACAddress     str  r @hostmac:i
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.AssociatedDeviceIPAddress      str  r @hostip:i
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.AssociatedDeviceAuthenticationState bool r true
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.X_HW_RSSI                      int  r -61
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceMACAddress     str  r  @hostmac:1
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceIPAddress      str  r  @hostip:1
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceAuthenticationState bool r true
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.X_HW_RSSI                      int  rh @rssi:1
LANDevice.1.WLANConfiguration.5.Enable                        bool w true
LANDevice.1.WLANConfiguration.5.Status                        str  r Up
LANDevice.1.WLANConfiguration.5.SSID                          str  w @ssid:5
LANDevice.1.WLANConfiguration.5.BSSID                         str  r @mac:4
LANDevice.1.WLANConfiguration.5.Channel                       uint w @chan:5
LANDevice.1.WLANConfiguration.5.AutoChannelEnable             bool w true
LANDevice.1.WLANConfiguration.5.Standard                      str  w a,n,ac
LANDevice.1.WLANConfiguration.5.BeaconType                    str  w 11i
LANDevice.1.WLANConfiguration.5.IEEE11iEncryptionModes        str  w AESEncryption
LANDevice.1.WLANConfiguration.5.IEEE11iAuthenticationMode     str  w PSKAuthentication
LANDevice.1.WLANConfiguration.5.SSIDAdvertisementEnabled      bool w true
LANDevice.1.WLANConfiguration.5.KeyPassphrase                 str  ws
LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey   str  ws
LANDevice.1.WLANConfiguration.5.PreSharedKey.1.KeyPassphrase  str  ws
LANDevice.1.WLANConfiguration.5.TotalAssociations             uint rh @assoc:5
LANDevice.1.WLANConfiguration.5.TotalBytesSent                uint rh @bytes:43:120000
LANDevice.1.WLANConfiguration.5.TotalBytesReceived            uint rh @bytes:44:15000
LANDevice.1.WLANConfiguration.5.X_HW_RFBand                   str  r 5GHz
LANDevice.1.WLANConfiguration.5.AssociatedDevice.                                   obj  w
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.AssociatedDeviceMACAddress     str  r @hostmac:i
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.AssociatedDeviceIPAddress      str  r @hostip:i
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.AssociatedDeviceAuthenticationState bool r true
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.X_HW_RSSI                      int  r -67
LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.AssociatedDeviceMACAddress     str  r  @hostmac:3
LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.AssociatedDeviceIPAddress      str  r  @hostip:3
LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.AssociatedDeviceAuthenticationState bool r true
LANDevice.1.WLANConfiguration.5.AssociatedDevice.1.X_HW_RSSI                      int  rh @rssi:3
DownloadDiagnostics.DiagnosticsState       str  w None
DownloadDiagnostics.Interface              str  w
DownloadDiagnostics.DownloadURL            str  w
DownloadDiagnostics.DSCP                   uint w 0
DownloadDiagnostics.EthernetPriority       uint w 0
DownloadDiagnostics.ROMTime                date r
DownloadDiagnostics.BOMTime                date r
DownloadDiagnostics.EOMTime                date r
DownloadDiagnostics.TestBytesReceived      uint r 0
DownloadDiagnostics.TotalBytesReceived     uint r 0
DownloadDiagnostics.TCPOpenRequestTime     date r
DownloadDiagnostics.TCPOpenResponseTime    date r
UploadDiagnostics.DiagnosticsState         str  w None
UploadDiagnostics.Interface                str  w
UploadDiagnostics.UploadURL                str  w
UploadDiagnostics.DSCP                     uint w 0
UploadDiagnostics.EthernetPriority         uint w 0
UploadDiagnostics.TestFileLength           uint w 0
UploadDiagnostics.ROMTime                  date r
UploadDiagnostics.BOMTime                  date r
UploadDiagnostics.EOMTime                  date r
UploadDiagnostics.TotalBytesSent           uint r 0
UploadDiagnostics.TCPOpenRequestTime       date r
UploadDiagnostics.TCPOpenResponseTime      date r
IPPingDiagnostics.DiagnosticsState         str  w None
IPPingDiagnostics.Interface                str  w
IPPingDiagnostics.Host                     str  w
IPPingDiagnostics.NumberOfRepetitions      uint w 4
IPPingDiagnostics.Timeout                  uint w 5000
IPPingDiagnostics.DataBlockSize            uint w 56
IPPingDiagnostics.DSCP                     uint w 0
IPPingDiagnostics.SuccessCount             uint r 0
IPPingDiagnostics.FailureCount             uint r 0
IPPingDiagnostics.AverageResponseTime      uint r 0
IPPingDiagnostics.MinimumResponseTime      uint r 0
IPPingDiagnostics.MaximumResponseTime      uint r 0
TraceRouteDiagnostics.DiagnosticsState        str  w None
TraceRouteDiagnostics.Interface               str  w
TraceRouteDiagnostics.Host                    str  w
TraceRouteDiagnostics.NumberOfTries           uint w 3
TraceRouteDiagnostics.Timeout                 uint w 5000
TraceRouteDiagnostics.DataBlockSize           uint w 38
TraceRouteDiagnostics.MaxHopCount             uint w 30
TraceRouteDiagnostics.ResponseTime            uint r 0
TraceRouteDiagnostics.RouteHopsNumberOfEntries uint r 0
TraceRouteDiagnostics.RouteHops.1.HopHost        str  r
TraceRouteDiagnostics.RouteHops.1.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.1.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.1.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.2.HopHost        str  r
TraceRouteDiagnostics.RouteHops.2.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.2.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.2.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.3.HopHost        str  r
TraceRouteDiagnostics.RouteHops.3.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.3.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.3.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.4.HopHost        str  r
TraceRouteDiagnostics.RouteHops.4.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.4.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.4.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.5.HopHost        str  r
TraceRouteDiagnostics.RouteHops.5.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.5.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.5.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.6.HopHost        str  r
TraceRouteDiagnostics.RouteHops.6.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.6.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.6.HopRTTimes     str  r
Layer3Forwarding.DefaultConnectionService  str  w @defconn:{ppp}
Time.Enable                                bool w true
Time.NTPServer1                            str  w pool.ntp.org
Time.LocalTimeZoneName                     str  w EAT-3
Time.CurrentLocalTime                      date rh @now
UserInterface.X_HW_WebUserInfo.1.UserName  str  w root
UserInterface.X_HW_WebUserInfo.1.Password  str  ws
UserInterface.X_HW_WebUserInfo.2.UserName  str  w telecomadmin
UserInterface.X_HW_WebUserInfo.2.Password  str  ws
`

const zteSpec = `
DeviceInfo.Manufacturer                     str  r   ZTE
DeviceInfo.ManufacturerOUI                  str  r   344B50
DeviceInfo.ModelName                        str  r   F660
DeviceInfo.Description                      str  r   ZXHN F660 GPON ONT
DeviceInfo.ProductClass                     str  r   F660
DeviceInfo.SerialNumber                     str  r   @serial
DeviceInfo.HardwareVersion                  str  ri  V6.0
DeviceInfo.SoftwareVersion                  str  ri  @swver
DeviceInfo.SpecVersion                      str  ri  1.0
DeviceInfo.ProvisioningCode                 str  wi
DeviceInfo.UpTime                           uint rh  @uptime
DeviceInfo.X_ZTE-COM_CpuUsed                uint rh  @cpu
DeviceInfo.X_ZTE-COM_MemUsed                uint rh  @mem
DeviceInfo.MemoryStatus.Total               uint r   131072
DeviceInfo.MemoryStatus.Free                uint rh  @memfree:131072
DeviceInfo.ProcessStatus.CPUUsage           uint rh  @cpu
ManagementServer.URL                        str  w   http://acs.fyberpay.local:7547/
ManagementServer.Username                   str  w   zte
ManagementServer.Password                   str  ws
ManagementServer.PeriodicInformEnable       bool w   true
ManagementServer.PeriodicInformInterval     uint w   @informinterval
ManagementServer.PeriodicInformTime         date w
ManagementServer.ParameterKey               str  ri
ManagementServer.ConnectionRequestURL       str  ri  @crurl
ManagementServer.ConnectionRequestUsername  str  w   @id
ManagementServer.ConnectionRequestPassword  str  ws
ManagementServer.STUNEnable                 bool w   false
WANDevice.1.WANConnectionNumberOfEntries    uint r   2
WANDevice.1.WANCommonInterfaceConfig.WANAccessType              str  r  GPON
WANDevice.1.WANCommonInterfaceConfig.PhysicalLinkStatus         str  r  Up
WANDevice.1.WANCommonInterfaceConfig.TotalBytesSent             uint rh @bytes:11:28000
WANDevice.1.WANCommonInterfaceConfig.TotalBytesReceived         uint rh @bytes:12:230000
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Status              str  r  Up
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.RXPower             str  rh @rxpower
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.TXPower             str  rh @txpower
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Temperature         int  rh @temp
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Stats.BytesSent     uint rh @bytes:13:29000
WANDevice.1.X_ZTE-COM_WANPONInterfaceConfig.Stats.BytesReceived uint rh @bytes:14:240000
WANDevice.1.WANConnectionDevice.1.WANIPConnectionNumberOfEntries   uint r 0
WANDevice.1.WANConnectionDevice.1.WANPPPConnectionNumberOfEntries  uint r 1
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Enable                   bool w false
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Name                     str  w omci_ipv4_pppoe_1
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ConnectionStatus         str  r @pppstatus
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ConnectionType           str  w IP_Routed
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.LastConnectionError      str  r @ppperror
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Username                 str  w
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Password                 str  ws
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.ExternalIPAddress        str  r @pppip
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.RemoteIPAddress          str  r @pppgw
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.DNSServers               str  w @pppdns
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.MACAddress               str  r @mac:2
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.MaxMRUSize               uint w 1492
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.NATEnabled               bool w true
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Uptime                   uint rh @pppuptime
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.X_ZTE-COM_VLANID         uint w 100
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Stats.EthernetBytesSent      uint rh @bytes:21:26000
WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.Stats.EthernetBytesReceived  uint rh @bytes:22:220000
WANDevice.1.WANConnectionDevice.2.WANIPConnectionNumberOfEntries   uint r 1
WANDevice.1.WANConnectionDevice.2.WANPPPConnectionNumberOfEntries  uint r 0
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.Enable              bool w true
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.Name                str  w omci_ipv4_dhcp_tr069
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.ConnectionStatus    str  r Connected
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.ConnectionType      str  w IP_Routed
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.AddressingType      str  w DHCP
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.ExternalIPAddress   str  ri @mgmtip
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.SubnetMask          str  r 255.255.0.0
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.DefaultGateway      str  r @mgmtgw
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.DNSServers          str  w 10.10.0.53
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.MACAddress          str  r @mac:1
WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.X_ZTE-COM_VLANID    uint w 46
LANDevice.1.LANHostConfigManagement.DHCPServerEnable   bool w true
LANDevice.1.LANHostConfigManagement.MinAddress         str  w 192.168.1.2
LANDevice.1.LANHostConfigManagement.MaxAddress         str  w 192.168.1.254
LANDevice.1.LANHostConfigManagement.SubnetMask         str  w 255.255.255.0
LANDevice.1.LANHostConfigManagement.DNSServers         str  w 192.168.1.1
LANDevice.1.LANHostConfigManagement.IPRouters          str  w 192.168.1.1
LANDevice.1.LANHostConfigManagement.DHCPLeaseTime      int  w 86400
LANDevice.1.LANEthernetInterfaceConfig.1.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.1.Status               str  r Up
LANDevice.1.LANEthernetInterfaceConfig.1.MACAddress           str  r @mac:16
LANDevice.1.LANEthernetInterfaceConfig.1.Stats.BytesSent      uint rh @bytes:31:80000
LANDevice.1.LANEthernetInterfaceConfig.1.Stats.BytesReceived  uint rh @bytes:32:11000
LANDevice.1.LANEthernetInterfaceConfig.2.Enable               bool w true
LANDevice.1.LANEthernetInterfaceConfig.2.Status               str  r NoLink
LANDevice.1.LANEthernetInterfaceConfig.2.MACAddress           str  r @mac:17
LANDevice.1.LANEthernetInterfaceConfig.2.Stats.BytesSent      uint r 0
LANDevice.1.LANEthernetInterfaceConfig.2.Stats.BytesReceived  uint r 0
LANDevice.1.Hosts.HostNumberOfEntries                uint r 2
LANDevice.1.Hosts.Host.1.IPAddress                   str  r @hostip:1
LANDevice.1.Hosts.Host.1.AddressSource               str  r DHCP
LANDevice.1.Hosts.Host.1.LeaseTimeRemaining          int  rh @lease:1
LANDevice.1.Hosts.Host.1.MACAddress                  str  r @hostmac:1
LANDevice.1.Hosts.Host.1.HostName                    str  r @hostname:1
LANDevice.1.Hosts.Host.1.InterfaceType               str  r 802.11
LANDevice.1.Hosts.Host.1.Active                      bool r true
LANDevice.1.Hosts.Host.2.IPAddress                   str  r @hostip:2
LANDevice.1.Hosts.Host.2.AddressSource               str  r DHCP
LANDevice.1.Hosts.Host.2.LeaseTimeRemaining          int  rh @lease:2
LANDevice.1.Hosts.Host.2.MACAddress                  str  r @hostmac:2
LANDevice.1.Hosts.Host.2.HostName                    str  r @hostname:2
LANDevice.1.Hosts.Host.2.InterfaceType               str  r Ethernet
LANDevice.1.Hosts.Host.2.Active                      bool r true
LANDevice.1.WLANConfiguration.1.Enable                        bool w true
LANDevice.1.WLANConfiguration.1.Status                        str  r Up
LANDevice.1.WLANConfiguration.1.SSID                          str  w @ssid:24
LANDevice.1.WLANConfiguration.1.BSSID                         str  r @mac:3
LANDevice.1.WLANConfiguration.1.Channel                       uint w @chan:24
LANDevice.1.WLANConfiguration.1.AutoChannelEnable             bool w true
LANDevice.1.WLANConfiguration.1.Standard                      str  w b,g,n
LANDevice.1.WLANConfiguration.1.BeaconType                    str  w WPAand11i
LANDevice.1.WLANConfiguration.1.SSIDAdvertisementEnabled      bool w true
LANDevice.1.WLANConfiguration.1.PreSharedKey.1.KeyPassphrase  str  ws
LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey   str  ws
LANDevice.1.WLANConfiguration.1.TotalAssociations             uint rh @assoc:24
LANDevice.1.WLANConfiguration.1.TotalBytesSent                uint rh @bytes:41:55000
LANDevice.1.WLANConfiguration.1.TotalBytesReceived            uint rh @bytes:42:8000
LANDevice.1.WLANConfiguration.1.AssociatedDevice.                                obj  w
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.AssociatedDeviceMACAddress  str  r @hostmac:i
LANDevice.1.WLANConfiguration.1.AssociatedDevice.{i}.AssociatedDeviceIPAddress   str  r @hostip:i
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceMACAddress  str  r @hostmac:1
LANDevice.1.WLANConfiguration.1.AssociatedDevice.1.AssociatedDeviceIPAddress   str  r @hostip:1
LANDevice.1.WLANConfiguration.5.Enable                        bool w true
LANDevice.1.WLANConfiguration.5.Status                        str  r Up
LANDevice.1.WLANConfiguration.5.SSID                          str  w @ssid:5
LANDevice.1.WLANConfiguration.5.BSSID                         str  r @mac:4
LANDevice.1.WLANConfiguration.5.Channel                       uint w @chan:5
LANDevice.1.WLANConfiguration.5.AutoChannelEnable             bool w true
LANDevice.1.WLANConfiguration.5.Standard                      str  w a,n,ac
LANDevice.1.WLANConfiguration.5.BeaconType                    str  w WPAand11i
LANDevice.1.WLANConfiguration.5.SSIDAdvertisementEnabled      bool w true
LANDevice.1.WLANConfiguration.5.PreSharedKey.1.KeyPassphrase  str  ws
LANDevice.1.WLANConfiguration.5.PreSharedKey.1.PreSharedKey   str  ws
LANDevice.1.WLANConfiguration.5.TotalAssociations             uint rh @assoc:5
LANDevice.1.WLANConfiguration.5.TotalBytesSent                uint rh @bytes:43:110000
LANDevice.1.WLANConfiguration.5.TotalBytesReceived            uint rh @bytes:44:14000
LANDevice.1.WLANConfiguration.5.AssociatedDevice.                                obj  w
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.AssociatedDeviceMACAddress  str  r @hostmac:i
LANDevice.1.WLANConfiguration.5.AssociatedDevice.{i}.AssociatedDeviceIPAddress   str  r @hostip:i
LANDevice.1.WIFI.Radio.1.DiagnosticsState                 str  w None
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.1.Standard      str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.2.Standard      str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.3.Standard      str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.4.Standard      str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.5.Standard      str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.SSID          str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.BSSID         str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.Channel       uint r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.RSSI          int  r 0
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.Bandwidth     str  r
LANDevice.1.WIFI.Radio.1.X_ZTE-COM_NeighborAP.6.Standard      str  r
LANDevice.1.WIFI.Radio.2.DiagnosticsState                 str  w None
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.1.Standard      str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.2.Standard      str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.3.Standard      str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.4.Standard      str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.5.Standard      str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.SSID          str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.BSSID         str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.Channel       uint r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.RSSI          int  r 0
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.Bandwidth     str  r
LANDevice.1.WIFI.Radio.2.X_ZTE-COM_NeighborAP.6.Standard      str  r
DownloadDiagnostics.DiagnosticsState       str  w None
DownloadDiagnostics.Interface              str  w
DownloadDiagnostics.DownloadURL            str  w
DownloadDiagnostics.DSCP                   uint w 0
DownloadDiagnostics.EthernetPriority       uint w 0
DownloadDiagnostics.ROMTime                date r
DownloadDiagnostics.BOMTime                date r
DownloadDiagnostics.EOMTime                date r
DownloadDiagnostics.TestBytesReceived      uint r 0
DownloadDiagnostics.TotalBytesReceived     uint r 0
DownloadDiagnostics.TCPOpenRequestTime     date r
DownloadDiagnostics.TCPOpenResponseTime    date r
UploadDiagnostics.DiagnosticsState         str  w None
UploadDiagnostics.Interface                str  w
UploadDiagnostics.UploadURL                str  w
UploadDiagnostics.DSCP                     uint w 0
UploadDiagnostics.EthernetPriority         uint w 0
UploadDiagnostics.TestFileLength           uint w 0
UploadDiagnostics.ROMTime                  date r
UploadDiagnostics.BOMTime                  date r
UploadDiagnostics.EOMTime                  date r
UploadDiagnostics.TotalBytesSent           uint r 0
UploadDiagnostics.TCPOpenRequestTime       date r
UploadDiagnostics.TCPOpenResponseTime      date r
IPPingDiagnostics.DiagnosticsState         str  w None
IPPingDiagnostics.Interface                str  w
IPPingDiagnostics.Host                     str  w
IPPingDiagnostics.NumberOfRepetitions      uint w 4
IPPingDiagnostics.Timeout                  uint w 5000
IPPingDiagnostics.DataBlockSize            uint w 56
IPPingDiagnostics.DSCP                     uint w 0
IPPingDiagnostics.SuccessCount             uint r 0
IPPingDiagnostics.FailureCount             uint r 0
IPPingDiagnostics.AverageResponseTime      uint r 0
IPPingDiagnostics.MinimumResponseTime      uint r 0
IPPingDiagnostics.MaximumResponseTime      uint r 0
TraceRouteDiagnostics.DiagnosticsState        str  w None
TraceRouteDiagnostics.Interface               str  w
TraceRouteDiagnostics.Host                    str  w
TraceRouteDiagnostics.NumberOfTries           uint w 3
TraceRouteDiagnostics.Timeout                 uint w 5000
TraceRouteDiagnostics.DataBlockSize           uint w 38
TraceRouteDiagnostics.MaxHopCount             uint w 30
TraceRouteDiagnostics.ResponseTime            uint r 0
TraceRouteDiagnostics.RouteHopsNumberOfEntries uint r 0
TraceRouteDiagnostics.RouteHops.1.HopHost        str  r
TraceRouteDiagnostics.RouteHops.1.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.1.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.1.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.2.HopHost        str  r
TraceRouteDiagnostics.RouteHops.2.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.2.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.2.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.3.HopHost        str  r
TraceRouteDiagnostics.RouteHops.3.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.3.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.3.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.4.HopHost        str  r
TraceRouteDiagnostics.RouteHops.4.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.4.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.4.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.5.HopHost        str  r
TraceRouteDiagnostics.RouteHops.5.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.5.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.5.HopRTTimes     str  r
TraceRouteDiagnostics.RouteHops.6.HopHost        str  r
TraceRouteDiagnostics.RouteHops.6.HopHostAddress str  r
TraceRouteDiagnostics.RouteHops.6.HopErrorCode   uint r 0
TraceRouteDiagnostics.RouteHops.6.HopRTTimes     str  r
Time.Enable                                bool w true
Time.NTPServer1                            str  w pool.ntp.org
Time.CurrentLocalTime                      date rh @now
`

const tplinkSpec = `
DeviceInfo.Manufacturer                     str  r   TP-Link
DeviceInfo.ManufacturerOUI                  str  r   50C7BF
DeviceInfo.ModelName                        str  r   Archer AX10
DeviceInfo.Description                      str  r   AX1500 Wi-Fi 6 Router
DeviceInfo.ProductClass                     str  r   Archer AX10
DeviceInfo.SerialNumber                     str  r   @serial
DeviceInfo.HardwareVersion                  str  ri  Archer AX10 v1.0
DeviceInfo.SoftwareVersion                  str  ri  @swver
DeviceInfo.ProvisioningCode                 str  wi
DeviceInfo.UpTime                           uint rh  @uptime
DeviceInfo.MemoryStatus.Total               uint r   262144
DeviceInfo.MemoryStatus.Free                uint rh  @memfree:262144
DeviceInfo.ProcessStatus.CPUUsage           uint rh  @cpu
ManagementServer.EnableCWMP                 bool w   true
ManagementServer.URL                        str  w   http://acs.fyberpay.local:7547/
ManagementServer.Username                   str  w   tplink
ManagementServer.Password                   str  ws
ManagementServer.PeriodicInformEnable       bool w   true
ManagementServer.PeriodicInformInterval     uint w   @informinterval
ManagementServer.PeriodicInformTime         date w
ManagementServer.ParameterKey               str  ri
ManagementServer.ConnectionRequestURL       str  ri  @crurl
ManagementServer.ConnectionRequestUsername  str  w   @id
ManagementServer.ConnectionRequestPassword  str  ws
PPP.InterfaceNumberOfEntries                uint r   1
PPP.Interface.1.Enable                      bool w   false
PPP.Interface.1.Status                      str  r   @pppifstatus
PPP.Interface.1.Name                        str  r   pppoe-wan
PPP.Interface.1.LowerLayers                 str  w   Device.Ethernet.Interface.5
PPP.Interface.1.ConnectionStatus            str  r   @pppstatus
PPP.Interface.1.LastConnectionError         str  r   @ppperror
PPP.Interface.1.Username                    str  w
PPP.Interface.1.Password                    str  ws
PPP.Interface.1.X_TP_Password               str  ws
PPP.Interface.1.MaxMRUSize                  uint w   1492
PPP.Interface.1.IPCP.LocalIPAddress         str  r   @pppip
PPP.Interface.1.IPCP.RemoteIPAddress        str  r   @pppgw
PPP.Interface.1.IPCP.DNSServers             str  r   @pppdns
PPP.Interface.1.Stats.BytesSent             ulong rh @bytes:21:30000
PPP.Interface.1.Stats.BytesReceived         ulong rh @bytes:22:250000
IP.InterfaceNumberOfEntries                 uint r   2
IP.Interface.1.Enable                       bool w   true
IP.Interface.1.Status                       str  r   Up
IP.Interface.1.Name                         str  r   br-lan
IP.Interface.1.LowerLayers                  str  w   Device.Ethernet.Interface.1
IP.Interface.1.IPv4Address.1.Enable         bool w   true
IP.Interface.1.IPv4Address.1.IPAddress      str  w   192.168.0.1
IP.Interface.1.IPv4Address.1.SubnetMask     str  w   255.255.255.0
IP.Interface.1.IPv4Address.1.AddressingType str  r   Static
IP.Interface.1.Stats.BytesSent              ulong rh @bytes:31:240000
IP.Interface.1.Stats.BytesReceived          ulong rh @bytes:32:28000
IP.Interface.2.Enable                       bool w   true
IP.Interface.2.Status                       str  r   @pppifstatus
IP.Interface.2.Name                         str  r   wan
IP.Interface.2.LowerLayers                  str  w   Device.PPP.Interface.1
IP.Interface.2.IPv4Address.1.Enable         bool w   true
IP.Interface.2.IPv4Address.1.IPAddress      str  ri  @pppip
IP.Interface.2.IPv4Address.1.SubnetMask     str  r   255.255.255.255
IP.Interface.2.IPv4Address.1.AddressingType str  r   IPCP
IP.Interface.2.Stats.BytesSent              ulong rh @bytes:11:30000
IP.Interface.2.Stats.BytesReceived          ulong rh @bytes:12:250000
IP.Interface.2.Stats.PacketsSent            ulong rh @bytes:13:35
IP.Interface.2.Stats.PacketsReceived        ulong rh @bytes:14:210
IP.Diagnostics.IPPing.DiagnosticsState      str  w   None
IP.Diagnostics.IPPing.Interface             str  w
IP.Diagnostics.IPPing.Host                  str  w
IP.Diagnostics.IPPing.NumberOfRepetitions   uint w   4
IP.Diagnostics.IPPing.Timeout               uint w   5000
IP.Diagnostics.IPPing.DataBlockSize         uint w   56
IP.Diagnostics.IPPing.DSCP                  uint w   0
IP.Diagnostics.IPPing.SuccessCount          uint r   0
IP.Diagnostics.IPPing.FailureCount          uint r   0
IP.Diagnostics.IPPing.AverageResponseTime   uint r   0
IP.Diagnostics.IPPing.MinimumResponseTime   uint r   0
IP.Diagnostics.IPPing.MaximumResponseTime   uint r   0
IP.Diagnostics.TraceRoute.DiagnosticsState   str  w   None
IP.Diagnostics.TraceRoute.Interface          str  w
IP.Diagnostics.TraceRoute.Host               str  w
IP.Diagnostics.TraceRoute.NumberOfTries      uint w   3
IP.Diagnostics.TraceRoute.Timeout            uint w   5000
IP.Diagnostics.TraceRoute.DataBlockSize      uint w   38
IP.Diagnostics.TraceRoute.MaxHopCount        uint w   30
IP.Diagnostics.TraceRoute.ResponseTime       uint r   0
IP.Diagnostics.TraceRoute.RouteHopsNumberOfEntries uint r 0
IP.Diagnostics.TraceRoute.RouteHops.1.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.1.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.1.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.1.RTTimes     str  r
IP.Diagnostics.TraceRoute.RouteHops.2.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.2.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.2.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.2.RTTimes     str  r
IP.Diagnostics.TraceRoute.RouteHops.3.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.3.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.3.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.3.RTTimes     str  r
IP.Diagnostics.TraceRoute.RouteHops.4.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.4.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.4.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.4.RTTimes     str  r
IP.Diagnostics.TraceRoute.RouteHops.5.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.5.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.5.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.5.RTTimes     str  r
IP.Diagnostics.TraceRoute.RouteHops.6.Host        str  r
IP.Diagnostics.TraceRoute.RouteHops.6.HostAddress str  r
IP.Diagnostics.TraceRoute.RouteHops.6.ErrorCode   uint r 0
IP.Diagnostics.TraceRoute.RouteHops.6.RTTimes     str  r
IP.Diagnostics.DownloadDiagnostics.DiagnosticsState     str  w None
IP.Diagnostics.DownloadDiagnostics.Interface            str  w
IP.Diagnostics.DownloadDiagnostics.DownloadURL          str  w
IP.Diagnostics.DownloadDiagnostics.DSCP                 uint w 0
IP.Diagnostics.DownloadDiagnostics.EthernetPriority     uint w 0
IP.Diagnostics.DownloadDiagnostics.ROMTime              date r
IP.Diagnostics.DownloadDiagnostics.BOMTime              date r
IP.Diagnostics.DownloadDiagnostics.EOMTime              date r
IP.Diagnostics.DownloadDiagnostics.TestBytesReceived    uint r 0
IP.Diagnostics.DownloadDiagnostics.TotalBytesReceived   uint r 0
IP.Diagnostics.DownloadDiagnostics.TCPOpenRequestTime   date r
IP.Diagnostics.DownloadDiagnostics.TCPOpenResponseTime  date r
IP.Diagnostics.UploadDiagnostics.DiagnosticsState       str  w None
IP.Diagnostics.UploadDiagnostics.Interface              str  w
IP.Diagnostics.UploadDiagnostics.UploadURL              str  w
IP.Diagnostics.UploadDiagnostics.DSCP                   uint w 0
IP.Diagnostics.UploadDiagnostics.EthernetPriority       uint w 0
IP.Diagnostics.UploadDiagnostics.TestFileLength         uint w 0
IP.Diagnostics.UploadDiagnostics.ROMTime                date r
IP.Diagnostics.UploadDiagnostics.BOMTime                date r
IP.Diagnostics.UploadDiagnostics.EOMTime                date r
IP.Diagnostics.UploadDiagnostics.TotalBytesSent         uint r 0
IP.Diagnostics.UploadDiagnostics.TCPOpenRequestTime     date r
IP.Diagnostics.UploadDiagnostics.TCPOpenResponseTime    date r
DNS.Client.Enable                           bool w   true
DNS.Client.Status                           str  r   Enabled
DNS.Client.ServerNumberOfEntries            uint r   2
DNS.Client.Server.1.Enable                  bool w   true
DNS.Client.Server.1.DNSServer               str  w   @dns:1
DNS.Client.Server.1.Type                    str  r   IPCP
DNS.Client.Server.1.Interface               str  w   Device.IP.Interface.2
DNS.Client.Server.2.Enable                  bool w   true
DNS.Client.Server.2.DNSServer               str  w   @dns:2
DNS.Client.Server.2.Type                    str  r   IPCP
DNS.Client.Server.2.Interface               str  w   Device.IP.Interface.2
Ethernet.InterfaceNumberOfEntries           uint r   5
Ethernet.Interface.1.Enable                 bool w   true
Ethernet.Interface.1.Status                 str  r   Up
Ethernet.Interface.1.MACAddress             str  r   @mac:16
Ethernet.Interface.1.MaxBitRate             int  w   1000
Ethernet.Interface.2.Enable                 bool w   true
Ethernet.Interface.2.Status                 str  r   Down
Ethernet.Interface.2.MACAddress             str  r   @mac:17
Ethernet.Interface.2.MaxBitRate             int  w   1000
Ethernet.Interface.3.Enable                 bool w   true
Ethernet.Interface.3.Status                 str  r   Down
Ethernet.Interface.3.MACAddress             str  r   @mac:18
Ethernet.Interface.3.MaxBitRate             int  w   1000
Ethernet.Interface.4.Enable                 bool w   true
Ethernet.Interface.4.Status                 str  r   Up
Ethernet.Interface.4.MACAddress             str  r   @mac:19
Ethernet.Interface.4.MaxBitRate             int  w   1000
Ethernet.Interface.5.Enable                 bool w   true
Ethernet.Interface.5.Status                 str  r   Up
Ethernet.Interface.5.MACAddress             str  r   @mac:2
Ethernet.Interface.5.MaxBitRate             int  w   1000
WiFi.NeighboringWiFiDiagnostic.DiagnosticsState      str  w  None
WiFi.NeighboringWiFiDiagnostic.ResultNumberOfEntries uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.1.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.1.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.1.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.1.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.1.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.1.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.1.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.2.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.2.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.2.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.2.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.2.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.2.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.2.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.3.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.3.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.3.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.3.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.3.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.3.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.3.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.4.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.4.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.4.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.4.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.4.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.4.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.4.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.5.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.5.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.5.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.5.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.5.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.5.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.5.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.6.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.6.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.6.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.6.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.6.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.6.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.6.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.7.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.7.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.7.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.7.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.7.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.7.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.7.SecurityModeEnabled    str  r
WiFi.NeighboringWiFiDiagnostic.Result.8.Radio                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.8.SSID                   str  r
WiFi.NeighboringWiFiDiagnostic.Result.8.BSSID                  str  r
WiFi.NeighboringWiFiDiagnostic.Result.8.Channel                uint r  0
WiFi.NeighboringWiFiDiagnostic.Result.8.SignalStrength         int  r  0
WiFi.NeighboringWiFiDiagnostic.Result.8.OperatingFrequencyBand str  r
WiFi.NeighboringWiFiDiagnostic.Result.8.SecurityModeEnabled    str  r
WiFi.RadioNumberOfEntries                   uint r   2
WiFi.Radio.1.Enable                         bool w   true
WiFi.Radio.1.Status                         str  r   Up
WiFi.Radio.1.OperatingFrequencyBand         str  w   2.4GHz
WiFi.Radio.1.OperatingStandards             str  w   b,g,n,ax
WiFi.Radio.1.Channel                        uint w   @chan:24
WiFi.Radio.1.AutoChannelEnable              bool w   true
WiFi.Radio.1.TransmitPower                  int  w   100
WiFi.Radio.2.Enable                         bool w   true
WiFi.Radio.2.Status                         str  r   Up
WiFi.Radio.2.OperatingFrequencyBand         str  w   5GHz
WiFi.Radio.2.OperatingStandards             str  w   a,n,ac,ax
WiFi.Radio.2.Channel                        uint w   @chan:5
WiFi.Radio.2.AutoChannelEnable              bool w   true
WiFi.Radio.2.TransmitPower                  int  w   100
WiFi.SSIDNumberOfEntries                    uint r   4
WiFi.SSID.1.Enable                          bool w   true
WiFi.SSID.1.Status                          str  r   Up
WiFi.SSID.1.SSID                            str  w   @ssid:24
WiFi.SSID.1.BSSID                           str  r   @mac:3
WiFi.SSID.1.LowerLayers                     str  w   Device.WiFi.Radio.1
WiFi.SSID.1.Stats.BytesSent                 ulong rh @bytes:41:60000
WiFi.SSID.1.Stats.BytesReceived             ulong rh @bytes:42:9000
WiFi.SSID.2.Enable                          bool w   false
WiFi.SSID.2.Status                          str  r   Down
WiFi.SSID.2.SSID                            str  w   @ssid:24g
WiFi.SSID.2.BSSID                           str  r   @mac:5
WiFi.SSID.2.LowerLayers                     str  w   Device.WiFi.Radio.1
WiFi.SSID.3.Enable                          bool w   true
WiFi.SSID.3.Status                          str  r   Up
WiFi.SSID.3.SSID                            str  w   @ssid:5
WiFi.SSID.3.BSSID                           str  r   @mac:4
WiFi.SSID.3.LowerLayers                     str  w   Device.WiFi.Radio.2
WiFi.SSID.3.Stats.BytesSent                 ulong rh @bytes:43:120000
WiFi.SSID.3.Stats.BytesReceived             ulong rh @bytes:44:15000
WiFi.SSID.4.Enable                          bool w   false
WiFi.SSID.4.Status                          str  r   Down
WiFi.SSID.4.SSID                            str  w   @ssid:5g
WiFi.SSID.4.BSSID                           str  r   @mac:6
WiFi.SSID.4.LowerLayers                     str  w   Device.WiFi.Radio.2
WiFi.AccessPointNumberOfEntries             uint r   4
WiFi.AccessPoint.1.Enable                           bool w  true
WiFi.AccessPoint.1.SSIDReference                    str  w  Device.WiFi.SSID.1
WiFi.AccessPoint.1.SSIDAdvertisementEnabled         bool w  true
WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries  uint rh @assoc:24
WiFi.AccessPoint.1.Security.ModeEnabled             str  w  WPA2-Personal
WiFi.AccessPoint.1.Security.ModesSupported          str  r  None,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal
WiFi.AccessPoint.1.Security.KeyPassphrase           str  ws
WiFi.AccessPoint.1.Security.PreSharedKey            str  ws
WiFi.AccessPoint.1.Security.X_TP_Password           str  ws
WiFi.AccessPoint.1.AssociatedDevice.                obj  w
WiFi.AccessPoint.1.AssociatedDevice.{i}.MACAddress      str  r @hostmac:i
WiFi.AccessPoint.1.AssociatedDevice.{i}.SignalStrength  int  r -58
WiFi.AccessPoint.1.AssociatedDevice.{i}.Active          bool r true
WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress      str  r  @hostmac:1
WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength  int  rh @rssi:1
WiFi.AccessPoint.1.AssociatedDevice.1.Active          bool r  true
WiFi.AccessPoint.2.Enable                           bool w  false
WiFi.AccessPoint.2.SSIDReference                    str  w  Device.WiFi.SSID.2
WiFi.AccessPoint.2.SSIDAdvertisementEnabled         bool w  true
WiFi.AccessPoint.2.AssociatedDeviceNumberOfEntries  uint r  0
WiFi.AccessPoint.2.Security.ModeEnabled             str  w  WPA2-Personal
WiFi.AccessPoint.2.Security.KeyPassphrase           str  ws
WiFi.AccessPoint.3.Enable                           bool w  true
WiFi.AccessPoint.3.SSIDReference                    str  w  Device.WiFi.SSID.3
WiFi.AccessPoint.3.SSIDAdvertisementEnabled         bool w  true
WiFi.AccessPoint.3.AssociatedDeviceNumberOfEntries  uint rh @assoc:5
WiFi.AccessPoint.3.Security.ModeEnabled             str  w  WPA2-Personal
WiFi.AccessPoint.3.Security.ModesSupported          str  r  None,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal
WiFi.AccessPoint.3.Security.KeyPassphrase           str  ws
WiFi.AccessPoint.3.Security.PreSharedKey            str  ws
WiFi.AccessPoint.3.Security.X_TP_Password           str  ws
WiFi.AccessPoint.3.AssociatedDevice.                obj  w
WiFi.AccessPoint.3.AssociatedDevice.{i}.MACAddress      str  r @hostmac:i
WiFi.AccessPoint.3.AssociatedDevice.{i}.SignalStrength  int  r -66
WiFi.AccessPoint.3.AssociatedDevice.{i}.Active          bool r true
WiFi.AccessPoint.3.AssociatedDevice.1.MACAddress      str  r  @hostmac:3
WiFi.AccessPoint.3.AssociatedDevice.1.SignalStrength  int  rh @rssi:3
WiFi.AccessPoint.3.AssociatedDevice.1.Active          bool r  true
WiFi.AccessPoint.4.Enable                           bool w  false
WiFi.AccessPoint.4.SSIDReference                    str  w  Device.WiFi.SSID.4
WiFi.AccessPoint.4.SSIDAdvertisementEnabled         bool w  true
WiFi.AccessPoint.4.AssociatedDeviceNumberOfEntries  uint r  0
WiFi.AccessPoint.4.Security.ModeEnabled             str  w  WPA2-Personal
WiFi.AccessPoint.4.Security.KeyPassphrase           str  ws
Hosts.HostNumberOfEntries                   uint r   3
Hosts.Host.1.PhysAddress                    str  r   @hostmac:1
Hosts.Host.1.IPAddress                      str  r   @hostip:1
Hosts.Host.1.HostName                       str  r   @hostname:1
Hosts.Host.1.AddressSource                  str  r   DHCP
Hosts.Host.1.LeaseTimeRemaining             int  rh  @lease:1
Hosts.Host.1.Layer1Interface                str  r   Device.WiFi.SSID.1
Hosts.Host.1.Active                         bool r   true
Hosts.Host.2.PhysAddress                    str  r   @hostmac:2
Hosts.Host.2.IPAddress                      str  r   @hostip:2
Hosts.Host.2.HostName                       str  r   @hostname:2
Hosts.Host.2.AddressSource                  str  r   DHCP
Hosts.Host.2.LeaseTimeRemaining             int  rh  @lease:2
Hosts.Host.2.Layer1Interface                str  r   Device.WiFi.SSID.3
Hosts.Host.2.Active                         bool rh  @active:2
Hosts.Host.3.PhysAddress                    str  r   @hostmac:3
Hosts.Host.3.IPAddress                      str  r   @hostip:3
Hosts.Host.3.HostName                       str  r   @hostname:3
Hosts.Host.3.AddressSource                  str  r   DHCP
Hosts.Host.3.LeaseTimeRemaining             int  rh  @lease:3
Hosts.Host.3.Layer1Interface                str  r   Device.Ethernet.Interface.1
Hosts.Host.3.Active                         bool r   true
Time.Enable                                 bool w   true
Time.NTPServer1                             str  w   pool.ntp.org
Time.LocalTimeZone                          str  w   EAT-3
Time.CurrentLocalTime                       date rh  @now
`

// tendaSpec: a small single-band router; its WAN is IP.Interface.2 on
// DHCP, and there is no PPP object.
const tendaSpec = `
DeviceInfo.Manufacturer                     str  r   Tenda
DeviceInfo.ManufacturerOUI                  str  r   C83A35
DeviceInfo.ModelName                        str  r   N301
DeviceInfo.Description                      str  r   Wireless N300 Easy Setup Router
DeviceInfo.ProductClass                     str  r   N301
DeviceInfo.SerialNumber                     str  r   @serial
DeviceInfo.HardwareVersion                  str  ri  V12.0
DeviceInfo.SoftwareVersion                  str  ri  @swver
DeviceInfo.ProvisioningCode                 str  wi
DeviceInfo.UpTime                           uint rh  @uptime
DeviceInfo.MemoryStatus.Total               uint r   32768
DeviceInfo.MemoryStatus.Free                uint rh  @memfree:32768
DeviceInfo.ProcessStatus.CPUUsage           uint rh  @cpu
ManagementServer.URL                        str  w   http://acs.fyberpay.local:7547/
ManagementServer.Username                   str  w   tenda
ManagementServer.Password                   str  ws
ManagementServer.PeriodicInformEnable       bool w   true
ManagementServer.PeriodicInformInterval     uint w   @informinterval
ManagementServer.PeriodicInformTime         date w
ManagementServer.ParameterKey               str  ri
ManagementServer.ConnectionRequestURL       str  ri  @crurl
ManagementServer.ConnectionRequestUsername  str  w   @id
ManagementServer.ConnectionRequestPassword  str  ws
IP.InterfaceNumberOfEntries                 uint r   2
IP.Interface.1.Enable                       bool w   true
IP.Interface.1.Status                       str  r   Up
IP.Interface.1.Name                         str  r   br0
IP.Interface.1.IPv4Address.1.IPAddress      str  w   192.168.0.1
IP.Interface.1.IPv4Address.1.SubnetMask     str  w   255.255.255.0
IP.Interface.1.Stats.BytesSent              ulong rh @bytes:31:90000
IP.Interface.1.Stats.BytesReceived          ulong rh @bytes:32:12000
IP.Interface.2.Enable                       bool w   true
IP.Interface.2.Status                       str  r   Up
IP.Interface.2.Name                         str  r   eth1
IP.Interface.2.IPv4Address.1.IPAddress      str  ri  @mgmtip
IP.Interface.2.IPv4Address.1.SubnetMask     str  r   255.255.0.0
IP.Interface.2.IPv4Address.1.AddressingType str  r   DHCP
IP.Interface.2.Stats.BytesSent              ulong rh @bytes:11:20000
IP.Interface.2.Stats.BytesReceived          ulong rh @bytes:12:150000
WiFi.RadioNumberOfEntries                   uint r   1
WiFi.Radio.1.Enable                         bool w   true
WiFi.Radio.1.Status                         str  r   Up
WiFi.Radio.1.OperatingFrequencyBand         str  w   2.4GHz
WiFi.Radio.1.Channel                        uint w   @chan:24
WiFi.SSIDNumberOfEntries                    uint r   1
WiFi.SSID.1.Enable                          bool w   true
WiFi.SSID.1.Status                          str  r   Up
WiFi.SSID.1.SSID                            str  w   @ssid:24
WiFi.SSID.1.BSSID                           str  r   @mac:3
WiFi.SSID.1.LowerLayers                     str  w   Device.WiFi.Radio.1
WiFi.AccessPointNumberOfEntries             uint r   1
WiFi.AccessPoint.1.Enable                           bool w  true
WiFi.AccessPoint.1.SSIDReference                    str  w  Device.WiFi.SSID.1
WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries  uint rh @assoc:24
WiFi.AccessPoint.1.Security.ModeEnabled             str  w  WPA2-Personal
WiFi.AccessPoint.1.Security.KeyPassphrase           str  ws
WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress     str  r  @hostmac:1
WiFi.AccessPoint.1.AssociatedDevice.1.SignalStrength int  rh @rssi:1
WiFi.AccessPoint.1.AssociatedDevice.1.Active         bool r  true
Hosts.HostNumberOfEntries                   uint r   1
Hosts.Host.1.PhysAddress                    str  r   @hostmac:1
Hosts.Host.1.IPAddress                      str  r   @hostip:1
Hosts.Host.1.HostName                       str  r   @hostname:1
Hosts.Host.1.Active                         bool r   true
Time.Enable                                 bool w   true
Time.NTPServer1                             str  w   pool.ntp.org
Time.CurrentLocalTime                       date rh  @now
`
