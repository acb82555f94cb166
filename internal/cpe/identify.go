package cpe

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
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
	jobs outbox.JobInserter
}

// NewService builds the service.
func NewService(pool *pgxpool.Pool, box *secret.Box, jobs outbox.JobInserter) *Service {
	return &Service{pool: pool, box: box, jobs: jobs}
}

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

// Identify records a device's contact and answers its desired state. Known
// devices are matched on the normalised serial; unknown ones become pending.
func (s *Service) Identify(ctx context.Context, in IdentifyInput) (IdentifyAnswer, error) {
	if err := in.validate(); err != nil {
		return IdentifyAnswer{}, err
	}
	ans := IdentifyAnswer{DeviceID: in.DeviceID, Status: "pending", Tags: []string{}, PeriodicInformInterval: PeriodicInformInterval}
	var genieID *string
	if in.DeviceID != "" {
		genieID = &in.DeviceID
	}
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			id                  uuid.UUID
			orgID, subscriberID *uuid.UUID
			firstContact, now   time.Time
		)
		err := tx.QueryRow(ctx, `
			INSERT INTO cpe_devices AS d (serial, serial_norm, oui, product_class, manufacturer, genieacs_id, data_model, first_contact_at, last_identified_at)
			VALUES ($1, $2, upper($3), $4, $5, $6, $7, now(), now())
			ON CONFLICT (serial_norm) DO UPDATE SET
				serial = EXCLUDED.serial, oui = EXCLUDED.oui, product_class = EXCLUDED.product_class,
				manufacturer = EXCLUDED.manufacturer, genieacs_id = COALESCE(EXCLUDED.genieacs_id, d.genieacs_id),
				data_model = COALESCE(NULLIF(EXCLUDED.data_model, ''), d.data_model),
				first_contact_at = COALESCE(d.first_contact_at, now()), last_identified_at = now(), updated_at = now()
			RETURNING id, org_id, subscriber_id, first_contact_at, now()`,
			in.Serial, NormalizeSerial(in.Serial), in.OUI, in.ProductClass, in.Manufacturer, genieID, DataModel(in.Root)).
			Scan(&id, &orgID, &subscriberID, &firstContact, &now)
		if err != nil {
			return fmt.Errorf("upsert device: %w", db.MapErr(err))
		}
		if firstContact.Equal(now) {
			if err := s.discovered(ctx, tx, id, orgID, in); err != nil {
				return err
			}
		}
		if orgID == nil {
			return nil
		}
		return s.desired(ctx, tx, id, &ans)
	})
	return ans, err
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

// desired fills the answer for an owned device.
func (s *Service) desired(ctx context.Context, tx pgx.Tx, id uuid.UUID, ans *IdentifyAnswer) error {
	var (
		slug                    string
		username, status, group *string
		subscriptionID          *uuid.UUID
		pppUser, pppKeyID       *string
		pppSealed               []byte
	)
	err := tx.QueryRow(ctx, `
		SELECT o.slug, s.username, s.status, p.genieacs_group, sub.id, sub.pppoe_username, sub.pppoe_password_enc, sub.pppoe_key_id
		FROM cpe_devices d
		JOIN organizations o ON o.id = d.org_id
		LEFT JOIN subscribers s ON s.id = d.subscriber_id AND s.org_id = d.org_id
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		LEFT JOIN plans p ON p.id = sub.plan_id
		WHERE d.id = $1`, id).Scan(&slug, &username, &status, &group, &subscriptionID, &pppUser, &pppSealed, &pppKeyID)
	if err != nil {
		return fmt.Errorf("read desired state: %w", err)
	}
	ans.Status = "claimed"
	ans.Tags = append(ans.Tags, OrgTag(slug))
	if username != nil {
		ans.Status = "assigned"
		ans.Tags = append(ans.Tags, SubscriberTag(*username))
		if group != nil {
			ans.Tags = append(ans.Tags, PlanTag(*group))
		}
		if *status == "active" && pppUser != nil && *pppUser != "" && pppSealed != nil {
			pw, err := s.box.Open(pppSealed, *pppKeyID, subscriptionID[:])
			if err != nil {
				return fmt.Errorf("open PPPoE password of subscription %s: %w", subscriptionID, err)
			}
			ans.PPPoE = &PPPoE{Username: *pppUser, Password: string(pw)}
		}
	}
	rows, err := tx.Query(ctx, `SELECT band, ssid, password_enc, key_id FROM cpe_wifi WHERE device_id = $1 ORDER BY band`, id)
	if err != nil {
		return fmt.Errorf("read desired wifi: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			w      WiFi
			sealed []byte
			kid    string
		)
		if err := rows.Scan(&w.Band, &w.SSID, &sealed, &kid); err != nil {
			return err
		}
		pw, err := s.box.Open(sealed, kid, WiFiAAD(id, w.Band))
		if err != nil {
			return fmt.Errorf("open wifi password of %s %s: %w", id, w.Band, err)
		}
		w.Password = string(pw)
		ans.WiFi = append(ans.WiFi, w)
	}
	return rows.Err()
}

// WiFiAAD binds a sealed Wi-Fi password to its device and band.
func WiFiAAD(deviceID uuid.UUID, band string) []byte {
	return append(deviceID[:], []byte(band)...)
}
