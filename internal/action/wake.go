package action

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// WakeResult is how a connection request went.
type WakeResult struct {
	Reached bool      `json:"reached"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// Wake sends the device a connection request and nothing else (the spec's
// troubleshooting: "try triggering a connection request"): GenieACS asks
// the CPE to open a session and waits for it. How it went is recorded on
// the device (the checklist's connection-request check) and in the audit
// log. Owners, admins and technicians, on their organization's devices.
func (s *Service) Wake(ctx context.Context, a actor.Actor, deviceID uuid.UUID) (WakeResult, error) {
	if err := a.Require(actor.PermDeviceAction); err != nil {
		return WakeResult{}, err
	}
	if s.acs == nil {
		return WakeResult{}, errNotConfigured()
	}
	dev, err := device(ctx, s.pool, a.OrgID, deviceID)
	if err != nil {
		return WakeResult{}, err
	}
	if dev.genieID == "" {
		return WakeResult{}, validation.Errors{"device": "this device has not contacted GenieACS yet; actions are possible after its first inform"}
	}
	reached, reason, err := s.acs.WakeUp(ctx, dev.genieID)
	switch {
	case errors.Is(err, genieacs.ErrDeviceNotFound):
		return WakeResult{}, validation.Errors{"device": "GenieACS does not know this device any more (deleted from GenieACS?)"}
	case err != nil:
		return WakeResult{}, err
	}
	res := WakeResult{Reached: reached, At: time.Now().UTC(), Message: "the device answered: it opened a session with GenieACS"}
	if !reached {
		res.Message = "GenieACS could not reach the device (" + reason + ")"
	}
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := recordWake(ctx, tx, dev.id, reached, res.Message, res.At); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{Action: "cpe.wake", TargetType: "cpe", TargetID: dev.id.String(),
			Summary: "connection request to " + dev.serial + ": " + res.Message})
	})
	return res, err
}
