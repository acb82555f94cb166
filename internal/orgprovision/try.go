package orgprovision

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// TryResult is what one run of a provision on one device did.
type TryResult struct {
	Device string `json:"device"` // the serial
	// Ran: the device answered the connection request and had a session.
	Ran    bool   `json:"ran"`
	Reason string `json:"reason,omitempty"` // why it did not run
	// Fault is GenieACS's fault of the run (its code and message), if any.
	Fault   *TryFault `json:"fault"`
	Changed []Change  `json:"changed"`
}

// TryFault is a run's fault.
type TryFault struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Change is one parameter the run fetched or set, with its value before
// (as GenieACS knew it) and after.
type Change struct {
	Path   string `json:"path"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Try runs a provision's current script once on one of the organization's
// devices: a preset of its own, matching only that device's connection
// request, for the length of one wake-up; then it reads what changed and
// the fault, if any, and removes the preset (and the fault: the try is
// over). Nothing stays bound.
func (s *Service) Try(ctx context.Context, a actor.Actor, devices *cpe.Service, name string, deviceID uuid.UUID) (TryResult, error) {
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return TryResult{}, err
	}
	p, err := s.Get(ctx, a, name)
	if err != nil {
		return TryResult{}, err
	}
	d, err := devices.Get(ctx, a, deviceID)
	if err != nil {
		return TryResult{}, err
	}
	if d.GenieACSID == "" {
		return TryResult{}, validation.Errors{"device": "GenieACS does not know this device yet"}
	}
	if s.acs == nil {
		return TryResult{}, validation.Errors{"device": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	res := TryResult{Device: d.Serial, Changed: []Change{}}
	before, err := s.acs.GetDevice(ctx, d.GenieACSID, nil)
	if err != nil {
		return TryResult{}, err
	}
	start := time.Now().Add(-time.Second)
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	preset := "fyberpay-try-" + hex.EncodeToString(suffix) // FyberPay's namespace: no organization's name
	idq, _ := json.Marshal(map[string]string{"DeviceID.ID": d.GenieACSID})
	if err := s.acs.PutPreset(ctx, preset, genieacs.Preset{Weight: 1000, Channel: preset, Events: map[string]bool{"6 CONNECTION REQUEST": true},
		Precondition:   string(idq),
		Configurations: []genieacs.Configuration{{Type: "provision", Name: p.StoredName, Args: json.RawMessage("[]")}}}); err != nil {
		return TryResult{}, err
	}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		_ = s.acs.DeletePreset(ctx, preset)
		if err := s.acs.DeleteFault(ctx, d.GenieACSID+":"+preset); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return
		}
	}()
	// A wake-up alone is answered before the session runs; a small task
	// with the connection request is answered once the session (and the
	// presets it runs, the try's among them) is over.
	uptime := "InternetGatewayDevice.DeviceInfo.UpTime"
	if d.DataModel == "TR-181" {
		uptime = "Device.DeviceInfo.UpTime"
	}
	tr, err := s.acs.CreateTask(ctx, d.GenieACSID, genieacs.Task{Name: genieacs.TaskGetParameterValues, ParameterNames: []string{uptime}},
		genieacs.TaskOptions{ConnectionRequest: true})
	if err != nil {
		return TryResult{}, err
	}
	switch tr.Outcome {
	case genieacs.OutcomeDone, genieacs.OutcomeFaulted:
		res.Ran = true
	default:
		res.Reason = tr.Reason
	}
	if tr.Outcome != genieacs.OutcomeDone && tr.Task.ID != "" {
		// Not run now: it must not run later, without the try's preset.
		if err := s.acs.DeleteTask(context.WithoutCancel(ctx), tr.Task.ID); err != nil && !errors.Is(err, genieacs.ErrNotFound) {
			return TryResult{}, err
		}
	}
	faults, err := s.acs.Faults(ctx, map[string]any{"_id": d.GenieACSID + ":" + preset})
	if err != nil {
		return TryResult{}, err
	}
	if len(faults) > 0 {
		res.Fault = &TryFault{Code: faults[0].Code, Message: faults[0].Message}
	}
	after, err := s.acs.GetDevice(ctx, d.GenieACSID, nil)
	if err != nil {
		return TryResult{}, err
	}
	for path, v := range after.Params {
		if v.Object || v.Timestamp.Before(start) || strings.HasPrefix(path, "_") || path == uptime {
			continue
		}
		was := ""
		if b, ok := before.Params[path]; ok {
			was = before.String(path)
			if b.Timestamp.Equal(v.Timestamp) {
				continue
			}
		}
		res.Changed = append(res.Changed, Change{Path: path, Before: was, After: after.String(path)})
	}
	slices.SortFunc(res.Changed, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	summary := fmt.Sprintf("tried provision %s on %s: %d values read or set", name, d.Serial, len(res.Changed))
	if res.Fault != nil {
		summary += ", fault " + res.Fault.Code
	}
	if !res.Ran {
		summary += ", the device did not answer"
	}
	return res, audit.Record(ctx, s.pool, a, audit.Entry{Action: "provision.try", TargetType: "provision", TargetID: p.ID.String(), Summary: summary})
}
