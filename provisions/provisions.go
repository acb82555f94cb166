// Package provisions holds the GenieACS provision scripts FyberPay uploads
// at start-up and the ext script GenieACS runs (ext/fyberpay.js, mounted as
// GENIEACS_EXT_DIR). The provisions are rendered with the logical-parameter
// table of internal/datamodel, so the scripts and the Go services share one
// mapping of TR-098/TR-181 paths.
package provisions

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fyberpay/cpe/internal/datamodel"
)

//go:embed *.js ext/fyberpay.js
var files embed.FS

// Names of the provisions, as uploaded to GenieACS.
const (
	Bootstrap   = "fyberpay-bootstrap"
	Health      = "fyberpay-health"
	Diagnostics = "fyberpay-diagnostics"
)

// Names lists the provisions in upload order.
func Names() []string { return []string{Bootstrap, Health, Diagnostics} }

// Render returns a provision's script with its marker line replaced by the
// data it needs.
func Render(name string) (string, error) {
	raw, err := files.ReadFile(name + ".js")
	if err != nil {
		return "", fmt.Errorf("provision %s: %w", name, err)
	}
	script := string(raw)
	var marker, decl string
	switch name {
	case Bootstrap:
		marker, decl = "// @fyberpay:map", "const MAP = "+mustJSON(jsMap())+";"
	case Health:
		marker, decl = "// @fyberpay:health-paths", "const PATHS = "+mustJSON(datamodel.ProvisionPaths(datamodel.HealthParams()))+";\n"+
			"const CAPS = "+mustJSON(datamodel.ProvisionPaths(datamodel.CapabilityParams()))+";\n"+
			"const MARKER = "+mustJSON(datamodel.ProvisionPaths([]datamodel.Param{datamodel.CapabilityMarker}))+";\n"+
			"const HOSTS = "+mustJSON(datamodel.HostTables())+";"
	case Diagnostics:
		marker, decl = "// @fyberpay:diagnostics-paths", "const PATHS = "+mustJSON(datamodel.ProvisionPaths(datamodel.DiagnosticResults()))+";"
	default:
		return "", fmt.Errorf("unknown provision %q", name)
	}
	if !strings.Contains(script, marker) {
		return "", fmt.Errorf("provision %s: marker %q missing", name, marker)
	}
	return strings.Replace(script, marker, decl, 1), nil
}

// ExtScript returns ext/fyberpay.js.
func ExtScript() []byte {
	b, err := files.ReadFile("ext/fyberpay.js")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

type jsOverride struct {
	Manufacturer   string   `json:"manufacturer,omitempty"`
	OUIs           []string `json:"ouis,omitempty"`
	ProductClasses []string `json:"productClasses,omitempty"`
	TR098          []string `json:"tr098,omitempty"`
	TR181          []string `json:"tr181,omitempty"`
}

type jsMapping struct {
	TR098     []string     `json:"tr098,omitempty"`
	TR181     []string     `json:"tr181,omitempty"`
	Overrides []jsOverride `json:"overrides,omitempty"`
}

// jsMap is the part of the table the bootstrap provision writes.
func jsMap() map[datamodel.Param]jsMapping {
	out := map[datamodel.Param]jsMapping{}
	for _, p := range []datamodel.Param{datamodel.PPPoEUsername, datamodel.WiFiSSID24, datamodel.WiFiKey24,
		datamodel.WiFiSSID5, datamodel.WiFiKey5, datamodel.PeriodicInformEnable, datamodel.PeriodicInformInterval} {
		m, _ := datamodel.Lookup(p)
		jm := jsMapping{TR098: m.TR098, TR181: m.TR181}
		for _, o := range m.Overrides {
			jm.Overrides = append(jm.Overrides, jsOverride{Manufacturer: o.Match.Manufacturer, OUIs: o.Match.OUIs,
				ProductClasses: o.Match.ProductClasses, TR098: o.TR098, TR181: o.TR181})
		}
		out[p] = jm
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
