package cpe

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/validation"
)

// Data-model roots as GenieACS reports them, and how we store them.
const (
	RootTR098 = "InternetGatewayDevice"
	RootTR181 = "Device"
)

// DataModel names the model of a root ("TR-098", "TR-181", or "").
func DataModel(root string) string {
	switch root {
	case RootTR098:
		return "TR-098"
	case RootTR181:
		return "TR-181"
	}
	return ""
}

// IdentifyInput is what the ext script (provisions/ext/fyberpay.js) sends
// from a device's BOOTSTRAP session.
type IdentifyInput struct {
	Serial       string `json:"serial"`
	OUI          string `json:"oui"`
	ProductClass string `json:"productClass"`
	Manufacturer string `json:"manufacturer"`
	DeviceID     string `json:"deviceId"` // GenieACS _id
	Root         string `json:"root"`     // InternetGatewayDevice or Device
}

// PPPoE is a device's desired PPPoE login.
type PPPoE struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// WiFi is a device's desired Wi-Fi on one band.
type WiFi struct {
	Band     string `json:"band"` // "2.4GHz" or "5GHz"
	SSID     string `json:"ssid"`
	Password string `json:"password"`
}

// IdentifyAnswer is the device's desired state: the provision applies the
// tags (removing other org:/sub:/plan: tags), PPPoE, Wi-Fi and the periodic
// inform interval.
type IdentifyAnswer struct {
	DeviceID               string   `json:"deviceId"`
	Status                 string   `json:"status"` // pending, claimed, assigned
	Tags                   []string `json:"tags"`
	PPPoE                  *PPPoE   `json:"pppoe,omitempty"`
	WiFi                   []WiFi   `json:"wifi,omitempty"`
	PeriodicInformInterval int      `json:"periodicInformInterval"`
}

// PeriodicInformInterval is the interval (seconds) every device is given.
const PeriodicInformInterval = 300

// Service is the CPE inventory service.
type Service struct {
	pool *pgxpool.Pool
	box  *secret.Box
	// subs opens PPPoE passwords: only the subscriber package decrypts them.
	subs     *subscriber.Service
	contacts *contacts
	jobs     outbox.JobInserter
	// thresholds judge the devices' statuses (WithThresholds).
	thresholds Thresholds
}

// NewService builds the service.
func NewService(pool *pgxpool.Pool, box *secret.Box, jobs outbox.JobInserter) *Service {
	s := &Service{pool: pool, box: box, jobs: jobs, thresholds: DefaultThresholds(), subs: subscriber.NewService(pool, box)}
	s.contacts = &contacts{pool: pool, rejudge: s.rejudgeMany}
	return s
}

// WithThresholds makes the service judge devices' statuses against t (a
// zero field keeps its default) instead of the spec's; call it where the
// service is built, before it serves. It returns s.
func (s *Service) WithThresholds(t Thresholds) *Service {
	s.thresholds = t.OrDefault()
	return s
}

// Thresholds are the ones the service judges statuses against.
func (s *Service) Thresholds() Thresholds { return s.thresholds }

var (
	ouiRE       = regexp.MustCompile(`^[0-9A-Fa-f]{6}$`)
	printableRE = regexp.MustCompile(`^[\x21-\x7e]*$`) // no spaces
	textRE      = regexp.MustCompile(`^[\x20-\x7e]*$`) // spaces allowed
)

func (in IdentifyInput) validate() error {
	errs := validation.Errors{}
	switch {
	case in.Serial == "":
		errs.Add("serial", "is required")
	case len(in.Serial) > 64:
		errs.Add("serial", "must be at most 64 characters")
	case !printableRE.MatchString(in.Serial):
		errs.Add("serial", "must be printable ASCII without spaces")
	}
	if !ouiRE.MatchString(in.OUI) {
		errs.Add("oui", "must be 6 hexadecimal digits")
	}
	if len(in.ProductClass) > 64 || !textRE.MatchString(in.ProductClass) {
		errs.Add("productClass", "must be at most 64 printable ASCII characters")
	}
	if len(in.Manufacturer) > 128 || !textRE.MatchString(in.Manufacturer) {
		errs.Add("manufacturer", "must be at most 128 printable ASCII characters")
	}
	if len(in.DeviceID) > 256 || !printableRE.MatchString(in.DeviceID) {
		errs.Add("deviceId", "must be at most 256 printable ASCII characters")
	}
	if in.Root != "" && in.Root != RootTR098 && in.Root != RootTR181 {
		errs.Add("root", "must be InternetGatewayDevice or Device")
	}
	return errs.Err()
}

// KeyCheckSerial is the marker serial of the Integration page's identify
// round trip: identify checks the request as any other and answers
// StatusKeyCheck, storing nothing (no device, no contact, no tally).
const (
	KeyCheckSerial = "FYBERPAY-KEY-CHECK"
	StatusKeyCheck = "key_check"
)

// Identify records a device's contact and answers its desired state. Known
// devices are matched on the normalised serial; unknown ones become pending.
//
// It is GenieACS's hot path (3 s budget, bursts of BOOTSTRAPs): a known
// device whose identity is unchanged costs one read; its contact time is
// written behind in batches (contact.go). New devices and changed identities
// take one upsert statement, and a first contact a transaction for its audit
// row and event.
func (s *Service) Identify(ctx context.Context, in IdentifyInput) (IdentifyAnswer, error) {
	if err := in.validate(); err != nil {
		return IdentifyAnswer{}, err
	}
	if in.Serial == KeyCheckSerial {
		// The Integration page's round trip: answered, never stored.
		return IdentifyAnswer{DeviceID: in.DeviceID, Status: StatusKeyCheck, Tags: []string{}, PeriodicInformInterval: PeriodicInformInterval}, nil
	}
	norm := NormalizeSerial(in.Serial)
	var r desiredRow
	for attempt := 0; ; attempt++ {
		var (
			known knownRow
			err   error
		)
		r, known, err = s.read(ctx, norm)
		switch {
		case err == nil && !known.noContact && known.same(in):
		case err == nil && r.orgID != nil && known.conflicts(in):
			// Neither applied nor noted as the device's contact: the CPE
			// may not be the device at all.
			status, err := s.conflict(ctx, *r.orgID, r.id, known, in)
			if err != nil {
				return IdentifyAnswer{}, err
			}
			return conflictAnswer(in.DeviceID, status, r), nil
		case (err == nil || errors.Is(err, db.ErrNotFound)) && attempt == 0:
			up, ok, err := s.upsert(ctx, in, norm)
			if err != nil {
				return IdentifyAnswer{}, err
			}
			if !ok {
				continue // another writer got there first: judge what it stored
			}
			r = up
		case err == nil:
			// Read again after a concurrent write: answer as stored.
		default:
			return IdentifyAnswer{}, fmt.Errorf("identify device: %w", err)
		}
		break
	}
	s.contacts.note(ctx, r.id)
	if r.orgID != nil {
		// The bootstrap provision applies this answer in the same session:
		// its push state is judged again against what the device took.
		s.contacts.noteBootstrap(ctx, r.id)
	}
	return s.answer(in.DeviceID, r)
}

// read is what identify knows of the device with serial norm.
func (s *Service) read(ctx context.Context, norm string) (desiredRow, knownRow, error) {
	var (
		r     desiredRow
		known knownRow
	)
	err := s.pool.QueryRow(ctx, `
		SELECT d.id, d.org_id, d.first_contact_at IS NULL, `+desiredColumns+`,
			d.serial, d.oui, d.product_class, d.manufacturer, COALESCE(d.genieacs_id, ''), d.data_model
		FROM cpe_devices d `+desiredJoins+` WHERE d.serial_norm = $1`, norm).
		Scan(append(append([]any{&r.id, &r.orgID, &known.noContact}, r.dest()...),
			&known.serial, &known.oui, &known.productClass, &known.manufacturer, &known.genieacsID, &known.dataModel)...)
	return r, known, db.MapErr(err)
}

// desiredColumns and desiredJoins read what an answer needs about device d.
const (
	desiredColumns = `o.slug, s.username, s.status, p.genieacs_group,
		` + subscriber.DeviceLoginColumns + `,
		w.bands, w.ssids, w.passwords, w.key_ids`
	desiredJoins = `
		LEFT JOIN cpe_devices dl ON dl.id = d.id
		LEFT JOIN organizations o ON o.id = d.org_id
		LEFT JOIN subscribers s ON s.id = d.subscriber_id AND s.org_id = d.org_id
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		LEFT JOIN plans p ON p.id = sub.plan_id
		LEFT JOIN LATERAL (
			SELECT array_agg(band ORDER BY band) AS bands, array_agg(ssid ORDER BY band) AS ssids,
				array_agg(password_enc ORDER BY band) AS passwords, array_agg(key_id ORDER BY band) AS key_ids
			FROM cpe_wifi WHERE device_id = d.id AND d.org_id IS NOT NULL
		) w ON true`
)

// knownRow is a stored device's identity, to tell whether it changed.
type knownRow struct {
	noContact                                                      bool
	serial, oui, productClass, manufacturer, genieacsID, dataModel string
}

// same reports whether the shared upsert would leave the stored identity
// as it is (what the report leaves out is kept).
func (k knownRow) same(in IdentifyInput) bool {
	kept := func(stored, reported string) bool { return reported == "" || stored == reported }
	return kept(k.serial, in.Serial) && kept(k.oui, strings.ToUpper(in.OUI)) && kept(k.productClass, in.ProductClass) &&
		kept(k.manufacturer, in.Manufacturer) && kept(k.genieacsID, in.DeviceID) && kept(k.dataModel, DataModel(in.Root))
}

// upsert records a new device or a changed identity, and a first contact,
// through the shared upsert (upsert.go). ok is false when it wrote nothing:
// a concurrent identify or the sync already stored this report, or the
// device's identity changed since it was read.
func (s *Service) upsert(ctx context.Context, in IdentifyInput, norm string) (r desiredRow, ok bool, err error) {
	var genieID *string
	if in.DeviceID != "" {
		genieID = &in.DeviceID
	}
	var first bool
	err = s.pool.QueryRow(ctx, `
		WITH d AS (`+upsertIdentified+`)
		SELECT d.id, d.org_id, d.first, `+desiredColumns+` FROM d `+desiredJoins,
		in.Serial, norm, in.OUI, in.ProductClass, in.Manufacturer, genieID, DataModel(in.Root)).
		Scan(append([]any{&r.id, &r.orgID, &first}, r.dest()...)...)
	switch err = db.MapErr(err); {
	case errors.Is(err, db.ErrNotFound):
		return r, false, nil
	case err != nil:
		return r, false, fmt.Errorf("identify device: %w", err)
	}
	if first {
		if err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error { return s.discovered(ctx, tx, r.id, r.orgID, in) }); err != nil {
			return r, true, err
		}
	}
	return r, true, nil
}

// AnsweredOutcomes are the tallied outcomes of calls identify answered.
func AnsweredOutcomes() []string { return []string{"pending", "claimed", "assigned"} }

// NoteIdentifyCall tallies an identify call by outcome (an answer's
// status, OutcomeRefused or OutcomeWrongKey) in identify_calls, behind the
// contact times, with the last call's client address: the Integration
// page tells from it when GenieACS's ext script last got an answer and how
// often (and from where) a key was wrong.
func (s *Service) NoteIdentifyCall(ctx context.Context, outcome, from string) {
	s.contacts.noteCall(ctx, outcome, from)
}

// desiredRow is what identify reads about a device.
type desiredRow struct {
	id                     uuid.UUID
	orgID                  *uuid.UUID
	slug, username, status *string
	group                  *string
	ppp                    subscriber.Sealed
	bands, ssids, keyIDs   []string
	passwords              [][]byte
}

func (r *desiredRow) dest() []any {
	return append(append([]any{&r.slug, &r.username, &r.status, &r.group}, r.ppp.Dest()...),
		&r.bands, &r.ssids, &r.passwords, &r.keyIDs)
}

// answer turns the row into the device's desired state, opening secrets.
func (s *Service) answer(genieID string, r desiredRow) (IdentifyAnswer, error) {
	ans := IdentifyAnswer{DeviceID: genieID, Status: "pending", Tags: []string{}, PeriodicInformInterval: PeriodicInformInterval}
	if r.orgID == nil || r.slug == nil {
		return ans, nil
	}
	ans.Status = "claimed"
	ans.Tags = append(ans.Tags, devtag.Org(*r.slug))
	if r.username != nil {
		ans.Status = "assigned"
		ans.Tags = append(ans.Tags, devtag.Subscriber(*r.username))
		if r.group != nil {
			ans.Tags = append(ans.Tags, devtag.Plan(*r.group))
		}
		if *r.status == subscriber.StatusActive {
			user, pw, ok, err := s.subs.Open(r.ppp)
			if err != nil {
				return IdentifyAnswer{}, err
			}
			if ok {
				ans.PPPoE = &PPPoE{Username: user, Password: pw}
			}
		}

	}
	for i, band := range r.bands {
		pw, err := s.box.Open(r.passwords[i], r.keyIDs[i], WiFiAAD(r.id, band))
		if err != nil {
			return IdentifyAnswer{}, fmt.Errorf("open wifi password of %s %s: %w", r.id, band, err)
		}
		ans.WiFi = append(ans.WiFi, WiFi{Band: band, SSID: r.ssids[i], Password: string(pw)})
	}
	return ans, nil
}

// discovered records a device's first contact.
func (s *Service) discovered(ctx context.Context, tx pgx.Tx, id uuid.UUID, orgID *uuid.UUID, in IdentifyInput) error {
	a := actor.Actor{Kind: actor.KindGenieACS, Label: "genieacs"}
	if orgID != nil {
		a.OrgID = *orgID
	}
	serial := NormalizeSerial(in.Serial)
	state := "pending"
	if orgID != nil {
		state = "known"
	}
	if err := audit.Record(ctx, tx, a, audit.Entry{
		Action: "cpe.discovered", TargetType: "cpe", TargetID: id.String(),
		Summary: fmt.Sprintf("%s %s %s (%s) contacted GenieACS for the first time (%s)", in.Manufacturer, in.ProductClass, serial, DataModel(in.Root), state),
	}); err != nil {
		return err
	}
	_, err := outbox.Write(ctx, tx, s.jobs, a.OrgID, outbox.TopicDiscovered, map[string]any{
		"deviceId": id, "serial": serial, "reportedSerial": in.Serial, "oui": in.OUI, "productClass": in.ProductClass,
		"manufacturer": in.Manufacturer, "genieacsId": in.DeviceID, "dataModel": DataModel(in.Root), "pending": orgID == nil,
	})
	return err
}

// WiFiAAD binds a sealed Wi-Fi password to its device and band.
func WiFiAAD(deviceID uuid.UUID, band string) []byte {
	return append(deviceID[:], []byte(band)...)
}
