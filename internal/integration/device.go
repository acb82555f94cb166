package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// Checklist is the spec's per-device troubleshooting list for one device,
// run now.
type Checklist struct {
	CheckedAt time.Time `json:"checkedAt"`
	OK        bool      `json:"ok"`
	// DeviceID is FyberPay's id (nil when only GenieACS knows the device).
	DeviceID *uuid.UUID `json:"deviceId"`
	// Owned is the device being the asking organization's (the operator
	// also sees pending devices and other organizations').
	Owned bool `json:"owned"`
	// Pending is the device belonging to no organization yet.
	Pending bool `json:"pending"`
	// GenieACSDevice is the GenieACS id, its serial masked ("" when
	// GenieACS never saw the device).
	GenieACSDevice string      `json:"genieacsDevice"`
	Model          string      `json:"model"`
	Checks         []Check     `json:"checks"`
	Tasks          []TaskSeen  `json:"tasks"`
	Faults         []FaultSeen `json:"faults"`
}

// TaskSeen is a task GenieACS holds for the device.
type TaskSeen struct {
	Name      string    `json:"name"`
	Timestamp time.Time `json:"timestamp"`
}

// checklistDevice is what FyberPay knows of the device.
type checklistDevice struct {
	ID            uuid.UUID  `db:"id"`
	OrgID         *uuid.UUID `db:"org_id"`
	GenieACSID    string     `db:"genieacs_id"`
	OUI           string     `db:"oui"`
	ProductClass  string     `db:"product_class"`
	Manufacturer  string     `db:"manufacturer"`
	DataModel     string     `db:"data_model"`
	IdentifiedAt  *time.Time `db:"identified_at"`
	LastInformAt  *time.Time `db:"last_inform_at"`
	HasSubscriber bool       `db:"has_subscriber"`
	SubStatus     string     `db:"sub_status"`
	PPPoEUser     bool       `db:"pppoe_user"`
	PPPoEPassword bool       `db:"pppoe_password"`
	WakeFailedAt  *time.Time `db:"wake_failed_at"`
	WakeError     string     `db:"wake_error"`
	WakeOKAt      *time.Time `db:"wake_ok_at"`
}

// DeviceChecklist runs the per-device checks for the device ref names: its
// FyberPay id, its serial (either form) or its GenieACS id. Staff of any
// organization may run it on their organization's devices (another's is
// not found); the operator organization's on any device, including one
// only GenieACS knows.
func (s *Service) DeviceChecklist(ctx context.Context, a actor.Actor, ref string) (Checklist, error) {
	if err := a.Require(actor.PermRead); err != nil {
		return Checklist{}, err
	}
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 256 || validation.Unstorable(ref) != "" {
		return Checklist{}, validation.Errors{"device": "give a device's id, serial or GenieACS id (at most 256 characters)"}
	}
	operator := a.RequireOperator() == nil
	dev, found, err := s.findDevice(ctx, a, operator, ref)
	if err != nil {
		return Checklist{}, err
	}
	cl := Checklist{CheckedAt: time.Now().UTC(), Checks: []Check{}, Tasks: []TaskSeen{}, Faults: []FaultSeen{}}
	var gdev *genieacs.Device
	genieID := ""
	if found {
		id := dev.ID
		cl.DeviceID, genieID = &id, dev.GenieACSID
		cl.Owned = dev.OrgID != nil && *dev.OrgID == a.OrgID
		cl.Pending = dev.OrgID == nil
		cl.Model = strings.TrimSpace(dev.Manufacturer + " " + dev.ProductClass)
	}
	reachable := s.acs != nil
	var gerr error
	if reachable {
		gctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		if !found && operator {
			// Only GenieACS may know it: a device of no organization yet,
			// which only the operator organization sees.
			gdev, gerr = s.genieLookup(gctx, ref)
		} else if genieID != "" {
			gdev, gerr = s.acs.GetDevice(gctx, genieID, checklistProjection())
			if errors.Is(gerr, genieacs.ErrNotFound) || errors.Is(gerr, genieacs.ErrDeviceNotFound) {
				gdev, gerr = nil, nil
			}
		}
		if gerr != nil {
			reachable = false
		}
		ctx = gctx
	}
	if !found && gdev == nil {
		if gerr != nil {
			return Checklist{}, fmt.Errorf("look the device up in GenieACS: %w", gerr)
		}
		return Checklist{}, db.ErrNotFound
	}
	if gdev != nil {
		genieID = gdev.ID
		cl.GenieACSDevice = MaskDeviceID(gdev.ID)
		if cl.Model == "" {
			_, pc, _ := splitDeviceID(gdev.ID)
			cl.Model = pc
		}
	}

	cl.Checks = append(cl.Checks, identifiedCheck(dev, found, gdev))
	if gerr != nil {
		cl.Checks = append(cl.Checks, Check{ID: "genieacs", Title: "GenieACS", Status: StatusFail,
			Found: "GenieACS did not answer: " + gerr.Error(), Fix: "See the NBI check on the Integration page."})
	}
	cl.Checks = append(cl.Checks, s.informCheck(dev, gdev, cl.CheckedAt))
	cl.Checks = append(cl.Checks, intervalCheck(dev, gdev))
	cl.Checks = append(cl.Checks, subscriberCheck(dev, found))
	if reachable && gdev != nil {
		tasks, faults, err := s.genieQueue(ctx, genieID)
		if err != nil {
			cl.Checks = append(cl.Checks, Check{ID: "queue", Title: "Tasks and faults in GenieACS", Status: StatusSkipped, Found: "Not read: " + err.Error()})
		} else {
			cl.Tasks, cl.Faults = tasks, faults
			cl.Checks = append(cl.Checks, queueChecks(tasks, faults)...)
		}
	} else {
		cl.Checks = append(cl.Checks, Check{ID: "tasks", Title: "Pending tasks in GenieACS", Status: StatusSkipped, Found: "Not checked: GenieACS does not know the device or did not answer."},
			Check{ID: "faults", Title: "Faults in GenieACS", Status: StatusSkipped, Found: "Not checked: GenieACS does not know the device or did not answer."})
	}
	cl.Checks = append(cl.Checks, wakeCheck(dev, found))
	cl.Checks = append(cl.Checks, s.firmwareCheck(ctx, dev, found, reachable))
	cl.OK = true
	for _, c := range cl.Checks {
		if c.Status != StatusOK {
			cl.OK = false
		}
	}
	return cl, nil
}

func (s *Service) findDevice(ctx context.Context, a actor.Actor, operator bool, ref string) (checklistDevice, bool, error) {
	where := `d.serial_norm = $1 OR d.genieacs_id = $2`
	args := []any{cpe.NormalizeSerial(ref), ref}
	if id, err := uuid.Parse(ref); err == nil {
		where, args = `d.id = $1`, []any{id}
	}
	scope := ` AND d.org_id = $` + strconv.Itoa(len(args)+1)
	args = append(args, a.OrgID)
	if operator {
		scope, args = "", args[:len(args)-1]
	}
	q, err := s.pool.Query(ctx, `SELECT d.id, d.org_id, COALESCE(d.genieacs_id, '') AS genieacs_id, d.oui, d.product_class, d.manufacturer,
			d.data_model, (SELECT c.last_identified_at FROM cpe_contacts c WHERE c.device_id = d.id) AS identified_at,
			d.last_inform_at, d.subscriber_id IS NOT NULL AS has_subscriber,
			COALESCE(s.status, '') AS sub_status,
			COALESCE(NULLIF(d.line_username, ''), sub.pppoe_username, '') <> '' AS pppoe_user,
			CASE WHEN d.line_username <> '' THEN d.line_password_enc IS NOT NULL ELSE COALESCE(sub.pppoe_password_enc IS NOT NULL, false) END AS pppoe_password,
			d.wake_failed_at, d.wake_error, d.wake_ok_at
		FROM cpe_devices d
		LEFT JOIN subscribers s ON s.id = d.subscriber_id AND s.org_id = d.org_id
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		WHERE (`+where+`)`+scope+` LIMIT 1`, args...)
	if err != nil {
		return checklistDevice{}, false, fmt.Errorf("find device: %w", err)
	}
	dev, err := pgx.CollectExactlyOneRow(q, pgx.RowToStructByName[checklistDevice])
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return checklistDevice{}, false, nil
	case err != nil:
		return checklistDevice{}, false, fmt.Errorf("find device: %w", err)
	}
	return dev, true, nil
}

// checklistProjection is what the checklist reads of a device's document:
// not its whole tree.
func checklistProjection() []string {
	p := []string{"_id", "_registered", "_lastInform"}
	for _, root := range []string{cpe.RootTR098, cpe.RootTR181} {
		p = append(p, root+".ManagementServer.PeriodicInformInterval", root+".ManagementServer.PeriodicInformEnable")
	}
	return p
}

// genieLookup finds a device only GenieACS knows, by its GenieACS id: the
// only indexed field there (a serial would scan every device document; the
// sync has brought nearly every device into FyberPay, where serials are
// indexed).
func (s *Service) genieLookup(ctx context.Context, ref string) (*genieacs.Device, error) {
	var found *genieacs.Device
	_, err := s.acs.SearchDevices(ctx, genieacs.Query{
		Filter: map[string]any{"_id": ref}, Limit: 1,
		Projection: checklistProjection(),
	}, func(d *genieacs.Device) error {
		found = d
		return nil
	})
	return found, err
}

func rootOf(dev checklistDevice, gdev *genieacs.Device) string {
	switch dev.DataModel {
	case "TR-098":
		return cpe.RootTR098
	case "TR-181":
		return cpe.RootTR181
	}
	if gdev != nil {
		for p := range gdev.Params {
			if strings.HasPrefix(p, cpe.RootTR098+".") {
				return cpe.RootTR098
			}
			if strings.HasPrefix(p, cpe.RootTR181+".") {
				return cpe.RootTR181
			}
		}
	}
	return ""
}

func identifiedCheck(dev checklistDevice, found bool, gdev *genieacs.Device) Check {
	c := Check{ID: "identified", Title: "Reached GenieACS and identify"}
	switch {
	case found && dev.IdentifiedAt != nil && gdev != nil:
		c.Status = StatusOK
		c.Found = "GenieACS knows the device and FyberPay's identify last answered it at " + dev.IdentifiedAt.UTC().Format(stamp) + "."
	case found && dev.IdentifiedAt != nil:
		c.Status = StatusFail
		c.Found = "Identify answered the device, but GenieACS does not have it now (deleted there?)."
		c.Fix = "The device comes back at its next inform if its ACS URL still points at GenieACS; a factory reset makes it bootstrap again."
	case gdev != nil:
		c.Status = StatusFail
		c.Found = "GenieACS knows the device, but FyberPay's identify never answered it: its bootstrap failed or never ran."
		c.Fix = "Read its GenieACS faults below; the Integration page's key and provisions checks name the usual causes. " +
			"A reboot or factory reset makes it bootstrap again."
	default:
		c.Status = StatusFail
		c.Found = "The device is in FyberPay's inventory but has never reached GenieACS."
		c.Fix = "Check the CPE's ACS URL (TR-069 settings) points at genieacs-cwmp and that it can reach it; then see the Integration page's checks."
	}
	return c
}

// lastInform is GenieACS's last inform when it answered, else FyberPay's.
func lastInform(dev checklistDevice, gdev *genieacs.Device) *time.Time {
	if gdev != nil && !gdev.LastInform.IsZero() {
		t := gdev.LastInform
		return &t
	}
	return dev.LastInformAt
}

func (s *Service) informCheck(dev checklistDevice, gdev *genieacs.Device, now time.Time) Check {
	c := Check{ID: "inform", Title: "Last inform"}
	th := cpe.DefaultThresholds()
	if s.devices != nil {
		th = s.devices.Thresholds()
	}
	last := lastInform(dev, gdev)
	switch {
	case last == nil:
		c.Status, c.Found = StatusFail, "The device has never informed."
		c.Fix = "Check the CPE is powered, online and its ACS URL points at genieacs-cwmp."
	case now.Sub(*last) > th.Online:
		c.Status = StatusFail
		c.Found = fmt.Sprintf("Last inform %s, %s ago: longer than OFFLINE_AFTER (%s), so the device is offline.",
			last.UTC().Format(stamp), now.Sub(*last).Round(time.Second), cpe.HumanDuration(th.Online))
		c.Fix = "Power or WAN lost, the periodic inform interval not set (see below), or the sync has not run (Integration page)."
	default:
		c.Status = StatusOK
		c.Found = fmt.Sprintf("Last inform %s, %s ago (within OFFLINE_AFTER, %s).", last.UTC().Format(stamp),
			now.Sub(*last).Round(time.Second), cpe.HumanDuration(th.Online))
	}
	return c
}

func intervalCheck(dev checklistDevice, gdev *genieacs.Device) Check {
	c := Check{ID: "interval", Title: "Periodic inform interval on the device"}
	root := rootOf(dev, gdev)
	if gdev == nil || root == "" {
		c.Status, c.Found = StatusSkipped, "Not checked: GenieACS does not know the device (or its data model)."
		return c
	}
	val := gdev.String(root + ".ManagementServer.PeriodicInformInterval")
	enable := gdev.String(root + ".ManagementServer.PeriodicInformEnable")
	want := strconv.Itoa(cpe.PeriodicInformInterval)
	switch {
	case val == "":
		c.Status = StatusWarn
		c.Found = "GenieACS has not read the device's PeriodicInformInterval."
		c.Fix = "The bootstrap provision sets and reads it; a device that never finished its bootstrap has not. Reboot or factory-reset the CPE to bootstrap again."
	case enable == "false" || enable == "0":
		c.Status = StatusFail
		c.Found = "Periodic informs are disabled on the device (PeriodicInformEnable is false)."
		c.Fix = "Factory-reset the CPE so the bootstrap provision enables them, or set " + root + ".ManagementServer.PeriodicInformEnable to true."
	case val != want:
		c.Status = StatusWarn
		c.Found = fmt.Sprintf("PeriodicInformInterval is %s s; FyberPay's bootstrap sets %s s.", val, want)
		c.Fix = "The bootstrap provision did not run to the end on this device: reboot or factory-reset it, and read its faults."
	default:
		c.Status = StatusOK
		c.Found = fmt.Sprintf("PeriodicInformInterval is %s s, as FyberPay's bootstrap sets it.", val)
	}
	return c
}

func subscriberCheck(dev checklistDevice, found bool) Check {
	c := Check{ID: "subscriber", Title: "Subscriber and PPPoE credentials"}
	switch {
	case !found:
		c.Status, c.Found = StatusSkipped, "Not checked: FyberPay does not know the device."
	case dev.OrgID == nil:
		c.Status, c.Found = StatusWarn, "The device is pending: no organization has claimed it, so it gets no PPPoE login."
		c.Fix = "Claim it (Pending devices) or add its serial to an organization's inventory."
	case !dev.HasSubscriber:
		c.Status, c.Found = StatusWarn, "No subscriber is assigned: the CPE gets no PPPoE login."
		c.Fix = "Assign a subscriber on the device page."
	case dev.SubStatus != "active":
		c.Status, c.Found = StatusFail, "The subscriber is "+dev.SubStatus+"."
		c.Fix = "Activate the subscriber if service should run."
	case !dev.PPPoEUser || !dev.PPPoEPassword:
		c.Status, c.Found = StatusFail, "The subscriber is active but the PPPoE username or password is not set."
		c.Fix = "Set the PPPoE credentials on the subscriber page; FyberPay pushes them."
	default:
		c.Status, c.Found = StatusOK, "An active subscriber with a PPPoE username and password is assigned."
	}
	return c
}

func (s *Service) genieQueue(ctx context.Context, genieID string) ([]TaskSeen, []FaultSeen, error) {
	tasks, err := s.acs.Tasks(ctx, map[string]any{"device": genieID})
	if err != nil {
		return nil, nil, err
	}
	faults, err := s.acs.Faults(ctx, map[string]any{"device": genieID})
	if err != nil {
		return nil, nil, err
	}
	ts := []TaskSeen{}
	for _, t := range tasks {
		seen := TaskSeen{Name: t.Name}
		if t.Timestamp != nil {
			seen.Timestamp = *t.Timestamp
		}
		ts = append(ts, seen)
	}
	fs := []FaultSeen{}
	for _, f := range faults {
		fs = append(fs, seen(f, genieID))
	}
	return ts, fs, nil
}

func queueChecks(tasks []TaskSeen, faults []FaultSeen) []Check {
	t := Check{ID: "tasks", Title: "Pending tasks in GenieACS", Status: StatusOK, Found: "GenieACS holds no task for the device."}
	if n := len(tasks); n > 0 {
		t.Status = StatusWarn
		t.Found = fmt.Sprintf("GenieACS holds %s waiting for the device's next session (the oldest from %s).", count(int64(n), "task"), tasks[0].Timestamp.UTC().Format(stamp))
		t.Fix = "They run when the device next informs or answers a connection request; a task stuck for long points at the faults below."
	}
	f := Check{ID: "faults", Title: "Faults in GenieACS", Status: StatusOK, Found: "GenieACS holds no fault for the device."}
	if n := len(faults); n > 0 {
		f.Status = StatusFail
		f.Found = fmt.Sprintf("GenieACS holds %s for the device (listed below).", count(int64(n), "fault"))
		f.Fix = "Fix what they name; GenieACS retries at the next session, or clear them on the Faults page to retry now."
	}
	return []Check{t, f}
}

func wakeCheck(dev checklistDevice, found bool) Check {
	c := Check{ID: "wake", Title: "Connection requests"}
	switch {
	case !found:
		c.Status, c.Found = StatusSkipped, "Not checked: FyberPay has sent the device nothing."
	case dev.WakeFailedAt != nil && (dev.WakeOKAt == nil || dev.WakeFailedAt.After(*dev.WakeOKAt)):
		c.Status = StatusFail
		c.Found = fmt.Sprintf("The last connection request (%s) failed: %s.", dev.WakeFailedAt.UTC().Format(stamp), dev.WakeError)
		c.Fix = "GenieACS cannot reach the device (NAT, firewall, or its connection-request URL/credentials): actions wait for its periodic inform. " +
			"Try a connection request from GenieACS's UI to see its error."
	case dev.WakeOKAt != nil:
		c.Status, c.Found = StatusOK, "The last connection request ("+dev.WakeOKAt.UTC().Format(stamp)+") reached the device."
	default:
		c.Status, c.Found = StatusOK, "No connection request to the device has failed (none sent yet)."
	}
	return c
}

func (s *Service) firmwareCheck(ctx context.Context, dev checklistDevice, found, reachable bool) Check {
	c := Check{ID: "firmware", Title: "Firmware file for its model"}
	if !found || dev.OrgID == nil {
		c.Status, c.Found = StatusSkipped, "Not checked: the device belongs to no organization's library."
		return c
	}
	q, err := s.pool.Query(ctx, `SELECT stored_name FROM firmware_images WHERE org_id = $1 AND oui = $2 AND product_class = $3 AND state = 'ready'
		ORDER BY created_at DESC`, *dev.OrgID, dev.OUI, dev.ProductClass)
	if err != nil {
		c.Status, c.Found = StatusSkipped, "Not read: "+err.Error()
		return c
	}
	names, err := pgx.CollectRows(q, pgx.RowTo[string])
	if err != nil {
		c.Status, c.Found = StatusSkipped, "Not read: "+err.Error()
		return c
	}
	if len(names) == 0 {
		c.Status = StatusWarn
		c.Found = "The firmware library has no image for " + dev.ProductClass + " (OUI " + dev.OUI + ")."
		c.Fix = "Upload one on the Firmware page before a rollout to this model; the OUI and product class must match the device's."
		return c
	}
	if !reachable {
		c.Status, c.Found = StatusSkipped, fmt.Sprintf("%s in the library; GenieACS not checked (it did not answer).", count(int64(len(names)), "image"))
		return c
	}
	files, err := s.acs.Files(ctx, map[string]any{"_id": map[string]any{"$in": names}})
	if err != nil {
		c.Status, c.Found = StatusSkipped, "GenieACS's files not read: "+err.Error()
		return c
	}
	if len(files) < len(names) {
		c.Status = StatusFail
		c.Found = fmt.Sprintf("Missing from GenieACS: %d of the library's %s for %s.", len(names)-len(files), count(int64(len(names)), "image"), dev.ProductClass)
		c.Fix = "Upload the image again on the Firmware page (GenieACS's files were deleted or replaced)."
		return c
	}
	c.Status = StatusOK
	c.Found = fmt.Sprintf("The library's %s for %s are in GenieACS too.", count(int64(len(names)), "image"), dev.ProductClass)
	if len(names) == 1 {
		c.Found = "The library's image for " + dev.ProductClass + " is in GenieACS too."
	}
	return c
}
