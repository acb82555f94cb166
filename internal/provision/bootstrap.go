// Package provision keeps GenieACS configured for FyberPay: the provisions
// of provisions/, the presets that bind them to inform events, and the
// speed-test file.
//
// Invariants:
//   - Bootstrap is idempotent: content GenieACS already holds unchanged is
//     not uploaded again (provisions compared by script, presets by value,
//     the speed-test file by name and size).
//   - It runs as a River job on the genieacs queue, so `serve` starts even
//     when GenieACS is down; an open breaker snoozes the job, other
//     failures retry with River's backoff.
//   - The outcome of the last run is kept in system_state for the System
//     page.
package provision

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/provisions"
)

// SpeedTestFile is the file download diagnostics fetch by default.
const (
	SpeedTestFile = "fyberpay-speedtest-10MB.bin"
	SpeedTestSize = 10 << 20
)

// Presets binds each provision to its event.
func Presets() map[string]genieacs.Preset {
	return map[string]genieacs.Preset{
		provisions.Bootstrap: {Weight: 0, Channel: provisions.Bootstrap, Events: map[string]bool{"0 BOOTSTRAP": true},
			Configurations: []genieacs.Configuration{{Type: "provision", Name: provisions.Bootstrap, Args: json.RawMessage("[]")}}},
		provisions.Health: {Weight: 0, Channel: provisions.Health, Events: map[string]bool{"2 PERIODIC": true},
			Configurations: []genieacs.Configuration{{Type: "provision", Name: provisions.Health, Args: json.RawMessage("[]")}}},
		provisions.Diagnostics: {Weight: 0, Channel: provisions.Diagnostics, Events: map[string]bool{"8 DIAGNOSTICS COMPLETE": true},
			Configurations: []genieacs.Configuration{{Type: "provision", Name: provisions.Diagnostics, Args: json.RawMessage("[]")}}},
	}
}

// Result says what a bootstrap did.
type Result struct {
	At        time.Time `json:"at"`
	OK        bool      `json:"ok"`
	Uploaded  []string  `json:"uploaded"`
	Unchanged []string  `json:"unchanged"`
	Error     string    `json:"error,omitempty"`
}

// Bootstrap uploads what GenieACS lacks or holds in another version.
func Bootstrap(ctx context.Context, c *genieacs.Client) (Result, error) {
	res := Result{At: time.Now().UTC(), Uploaded: []string{}, Unchanged: []string{}}
	note := func(kind, name string, changed bool) {
		if changed {
			res.Uploaded = append(res.Uploaded, kind+" "+name)
		} else {
			res.Unchanged = append(res.Unchanged, kind+" "+name)
		}
	}
	for _, name := range provisions.Names() {
		script, err := provisions.Render(name)
		if err != nil {
			return res, err
		}
		cur, ok, err := c.GetProvision(ctx, name)
		if err != nil {
			return res, fmt.Errorf("read provision %s: %w", name, err)
		}
		changed := !ok || cur.Script != script
		if changed {
			if err := c.PutProvision(ctx, name, script); err != nil {
				return res, fmt.Errorf("upload provision %s: %w", name, err)
			}
		}
		note("provision", name, changed)
	}
	presets := Presets()
	for _, name := range provisions.Names() {
		want := presets[name]
		cur, ok, err := c.GetPreset(ctx, name)
		if err != nil {
			return res, fmt.Errorf("read preset %s: %w", name, err)
		}
		cur.ID = ""
		changed := !ok || !samePreset(cur, want)
		if changed {
			if err := c.PutPreset(ctx, name, want); err != nil {
				return res, fmt.Errorf("upload preset %s: %w", name, err)
			}
		}
		note("preset", name, changed)
	}
	files, err := c.Files(ctx, map[string]any{"_id": SpeedTestFile})
	if err != nil {
		return res, fmt.Errorf("read files: %w", err)
	}
	changed := len(files) == 0 || files[0].Length != SpeedTestSize
	if changed {
		// Random bytes: compression on the path cannot flatter the result.
		if err := c.PutFile(ctx, SpeedTestFile, genieacs.FileMeta{}, io.LimitReader(rand.Reader, SpeedTestSize), SpeedTestSize); err != nil {
			return res, fmt.Errorf("upload %s: %w", SpeedTestFile, err)
		}
	}
	note("file", SpeedTestFile, changed)
	res.OK = true
	return res, nil
}

// samePreset compares presets as GenieACS stores them (JSON values).
func samePreset(a, b genieacs.Preset) bool {
	var x, y any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &x)
	_ = json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}
