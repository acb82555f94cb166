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

// Item is one thing FyberPay keeps in GenieACS, and how GenieACS holds it.
type Item struct {
	Kind  string `json:"kind"` // provision, preset, file
	Name  string `json:"name"`
	State string `json:"state"` // same, different, missing
}

// Item states.
const (
	StateSame      = "same"
	StateDifferent = "different"
	StateMissing   = "missing"
)

// Compare reads what GenieACS holds of FyberPay's provisions, presets and
// speed-test file (provisions and presets with the query form: GET
// /provisions/<name> is 405 on the real NBI) and says, for each, whether
// it is there and the same as FyberPay's. It changes nothing.
func Compare(ctx context.Context, c *genieacs.Client) ([]Item, error) {
	var items []Item
	state := func(ok, same bool) string {
		switch {
		case !ok:
			return StateMissing
		case !same:
			return StateDifferent
		}
		return StateSame
	}
	for _, name := range provisions.Names() {
		script, err := provisions.Render(name)
		if err != nil {
			return nil, err
		}
		cur, ok, err := c.GetProvision(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("read provision %s: %w", name, err)
		}
		items = append(items, Item{Kind: "provision", Name: name, State: state(ok, cur.Script == script)})
	}
	presets := Presets()
	for _, name := range provisions.Names() {
		cur, ok, err := c.GetPreset(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("read preset %s: %w", name, err)
		}
		cur.ID = ""
		items = append(items, Item{Kind: "preset", Name: name, State: state(ok, samePreset(cur, presets[name]))})
	}
	files, err := c.Files(ctx, map[string]any{"_id": SpeedTestFile})
	if err != nil {
		return nil, fmt.Errorf("read files: %w", err)
	}
	items = append(items, Item{Kind: "file", Name: SpeedTestFile, State: state(len(files) > 0, len(files) > 0 && files[0].Length == SpeedTestSize)})
	return items, nil
}

// Bootstrap uploads what GenieACS lacks or holds in another version.
func Bootstrap(ctx context.Context, c *genieacs.Client) (Result, error) {
	res := Result{At: time.Now().UTC(), Uploaded: []string{}, Unchanged: []string{}}
	items, err := Compare(ctx, c)
	if err != nil {
		return res, err
	}
	presets := Presets()
	for _, it := range items {
		label := it.Kind + " " + it.Name
		if it.State == StateSame {
			res.Unchanged = append(res.Unchanged, label)
			continue
		}
		switch it.Kind {
		case "provision":
			script, err := provisions.Render(it.Name)
			if err != nil {
				return res, err
			}
			if err := c.PutProvision(ctx, it.Name, script); err != nil {
				return res, fmt.Errorf("upload provision %s: %w", it.Name, err)
			}
		case "preset":
			if err := c.PutPreset(ctx, it.Name, presets[it.Name]); err != nil {
				return res, fmt.Errorf("upload preset %s: %w", it.Name, err)
			}
		case "file":
			// Random bytes: compression on the path cannot flatter the result.
			if err := c.PutFile(ctx, SpeedTestFile, genieacs.FileMeta{}, io.LimitReader(rand.Reader, SpeedTestSize), SpeedTestSize); err != nil {
				return res, fmt.Errorf("upload %s: %w", SpeedTestFile, err)
			}
		}
		res.Uploaded = append(res.Uploaded, label)
	}
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
