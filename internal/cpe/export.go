package cpe

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/fyberpay/cpe/internal/actor"
)

// ExportCSV writes every device matching f as CSV, page by page (keyset),
// so a 10^5-row export never sits in memory.
func (s *Service) ExportCSV(ctx context.Context, a actor.Actor, f Filter, w io.Writer) error {
	if err := a.Require(actor.PermRead); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"serial", "reported_serial", "oui", "model", "manufacturer", "data_model", "firmware",
		"status", "last_inform", "subscriber", "plan", "tags", "push_state", "pon_port"}); err != nil {
		return err
	}
	f.After, f.Limit = "", 500
	for {
		p, err := s.List(ctx, a, f)
		if err != nil {
			return err
		}
		for _, d := range p.Items {
			last := ""
			if d.LastInformAt != nil {
				last = d.LastInformAt.UTC().Format(time.RFC3339)
			}
			rec := []string{d.Serial, d.ReportedSerial, d.OUI, d.ProductClass, d.Manufacturer, d.DataModel, d.SoftwareVersion,
				d.Status, last, d.Subscriber, d.Plan, strings.Join(d.Tags, " "), d.PushState, d.PONPort}
			for i := range rec {
				rec[i] = SafeCell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if p.Next == "" {
			return nil
		}
		f.After = p.Next
	}
}

// SafeCell defuses spreadsheet formula injection: a cell starting with =,
// +, -, @, a tab or a carriage return is prefixed with a quote, so Excel or
// LibreOffice shows it as text instead of evaluating it. Device data comes
// from CPEs and CSV uploads, so it is untrusted.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
