package cpe

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/datamodel"
)

// Model is one model of an organization's fleet with what its devices can
// do: per capability, how many have it (and how many of those read-only,
// where FyberPay writes it). Devices whose capabilities are not judged yet
// are counted in Unknown and in no capability.
type Model struct {
	Manufacturer string                            `json:"manufacturer"`
	ProductClass string                            `json:"productClass"`
	DataModel    string                            `json:"dataModel"`
	Devices      int                               `json:"devices"`
	Unknown      int                               `json:"unknown"`
	Capabilities map[datamodel.Capability]CapCount `json:"capabilities"`
}

// CapCount is how many devices of a model have a capability.
type CapCount struct {
	Devices  int `json:"devices"`
	ReadOnly int `json:"readOnly,omitempty"`
}

// Judged is how many of the model's devices have their capabilities known.
func (m Model) Judged() int { return m.Devices - m.Unknown }

// Models lists the organization's models (by manufacturer, product class
// and data model, the most numerous first) with their capability matrix:
// one scan of its devices whatever the number of capabilities.
func (s *Service) Models(ctx context.Context, a actor.Actor) ([]Model, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return nil, err
	}
	caps := datamodel.Capabilities()
	cols := make([]string, 0, 2*len(caps))
	args := []any{a.OrgID}
	for _, c := range caps {
		args = append(args, string(c.Name))
		n := len(args)
		cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE d.capabilities ? $%d)", n),
			fmt.Sprintf("count(*) FILTER (WHERE d.capabilities ->> $%d = 'false')", n))
	}
	rows, err := s.pool.Query(ctx, `SELECT d.manufacturer, d.product_class, d.data_model, count(*),
			count(*) FILTER (WHERE d.capabilities IS NULL), `+strings.Join(cols, ", ")+`
		FROM cpe_devices d WHERE d.org_id = $1
		GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`, args...)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Model, error) {
		m := Model{Capabilities: map[datamodel.Capability]CapCount{}}
		counts := make([]int, 2*len(caps))
		dest := []any{&m.Manufacturer, &m.ProductClass, &m.DataModel, &m.Devices, &m.Unknown}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := row.Scan(dest...); err != nil {
			return Model{}, err
		}
		for i, c := range caps {
			cc := CapCount{Devices: counts[2*i], ReadOnly: counts[2*i+1]}
			if !c.Write {
				cc.ReadOnly = 0 // reading is all FyberPay does with it
			}
			m.Capabilities[c.Name] = cc
		}
		return m, nil
	})
}
