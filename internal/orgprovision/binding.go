package orgprovision

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Binding says when GenieACS runs a provision: a preset of the same name
// on these TR-069 events, for the organization's devices (only model's,
// when set), ordered by weight among the presets.
type Binding struct {
	Events  []string `json:"events"`
	Weight  int      `json:"weight"`
	Model   string   `json:"model"`
	Enabled bool     `json:"enabled"`
}

// Events a binding may name (TR-069 Inform event codes).
func Events() []string {
	return []string{"0 BOOTSTRAP", "1 BOOT", "2 PERIODIC", "4 VALUE CHANGE", "6 CONNECTION REQUEST",
		"7 TRANSFER COMPLETE", "8 DIAGNOSTICS COMPLETE", "M Reboot", "M Download"}
}

func (b Binding) validate() (Binding, error) {
	errs := validation.Errors{}
	var evs []string
	for _, e := range b.Events {
		e = strings.Join(strings.Fields(e), " ")
		if !slices.Contains(Events(), e) {
			errs.Add("events", fmt.Sprintf("unknown event %q; use %s", e, strings.Join(Events(), ", ")))
			break
		}
		if !slices.Contains(evs, e) {
			evs = append(evs, e)
		}
	}
	b.Events = evs
	if b.Enabled && len(b.Events) == 0 {
		errs.Add("events", "choose at least one event")
	}
	if b.Weight < -1000 || b.Weight > 1000 {
		errs.Add("weight", "must be between -1000 and 1000")
	}
	b.Model = validation.Text(errs, "model", b.Model, 0, 64)
	return b, errs.Err()
}

// Precondition is the preset's precondition: the organization's tag (and
// the model), as the Mongo-style query GenieACS converts to an expression
// (`_tags` → Tags.<tag>; other keys are parameters, so the model is
// DeviceID.ProductClass, not _deviceId._ProductClass); a tag with ':'
// cannot be written as a Tags.<tag> path in an expression (DESIGN.md §5).
func Precondition(slug, model string) string {
	q := map[string]string{"_tags": devtag.Org(slug)}
	if model != "" {
		q["DeviceID.ProductClass"] = model
	}
	b, _ := json.Marshal(q)
	return string(b)
}

// Bind sets when a provision runs: enabled, the preset is written to
// GenieACS; disabled, the preset is removed and the provision kept.
func (s *Service) Bind(ctx context.Context, a actor.Actor, name string, b Binding) (Provision, error) {
	if err := a.Require(actor.PermManageProvisions); err != nil {
		return Provision{}, err
	}
	b, err := b.validate()
	if err != nil {
		return Provision{}, err
	}
	if s.acs == nil {
		return Provision{}, validation.Errors{"events": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var id, stored string
		err := tx.QueryRow(ctx, `UPDATE org_provisions SET bound = $3, events = $4, weight = $5, model = $6, updated_at = now(), updated_by = $7
			WHERE org_id = $1 AND name = $2 RETURNING id::text, stored_name`, a.OrgID, name, b.Enabled, b.Events, b.Weight, b.Model, a.Label).Scan(&id, &stored)
		if err != nil {
			return db.MapErr(err)
		}
		summary := "unbound provision " + name
		if b.Enabled {
			summary = fmt.Sprintf("bound provision %s to %s (weight %d%s)", name, strings.Join(b.Events, ", "), b.Weight, modelNote(b.Model))
		}
		if err := audit.Record(ctx, tx, a, audit.Entry{Action: "provision.bind", TargetType: "provision", TargetID: id, Summary: summary}); err != nil {
			return err
		}
		if _, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicProvisionSaved, map[string]any{"name": name, "binding": b}); err != nil {
			return err
		}
		if !b.Enabled {
			return s.acs.DeletePreset(ctx, stored)
		}
		o, err := org.ByID(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		events := map[string]bool{}
		for _, e := range b.Events {
			events[e] = true
		}
		return s.acs.PutPreset(ctx, stored, genieacs.Preset{Weight: b.Weight, Channel: stored, Events: events,
			Precondition:   Precondition(o.Slug, b.Model),
			Configurations: []genieacs.Configuration{{Type: "provision", Name: stored, Args: json.RawMessage("[]")}}})
	})
	if err != nil {
		return Provision{}, err
	}
	return s.Get(ctx, a, name)
}

func modelNote(model string) string {
	if model == "" {
		return ""
	}
	return ", model " + model
}
