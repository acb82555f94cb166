// Package testfactory creates fixtures for tests through the real services
// (so audit rows and invariants hold), with pointer options in the style of
// River's testfactory.
package testfactory

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/cpe/cpetest"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/subscriber/subscribertest"
	"github.com/fyberpay/cpe/internal/user"
)

// FastHashKiB keeps argon2id cheap in tests.
const FastHashKiB = 1024

// Password is every factory user's password.
const Password = "correct-horse-battery"

var seq atomic.Int64

// OrgOpts customises Org.
type OrgOpts struct {
	Slug *string
	Name *string
}

// Org creates an organization.
func Org(ctx context.Context, t testing.TB, pool *pgxpool.Pool, opts *OrgOpts) org.Org {
	t.Helper()
	if opts == nil {
		opts = &OrgOpts{}
	}
	n := seq.Add(1)
	slug := fmt.Sprintf("org-%d", n)
	if opts.Slug != nil {
		slug = *opts.Slug
	}
	name := fmt.Sprintf("ISP %d", n)
	if opts.Name != nil {
		name = *opts.Name
	}
	o, err := org.Create(ctx, pool, slug, name)
	if err != nil {
		t.Fatalf("testfactory.Org: %v", err)
	}
	return o
}

// UserOpts customises User.
type UserOpts struct {
	Email *string
	Role  *actor.Role
}

// User creates a staff user in o with Password.
func User(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, opts *UserOpts) user.User {
	t.Helper()
	if opts == nil {
		opts = &UserOpts{}
	}
	n := seq.Add(1)
	email := fmt.Sprintf("staff%d@%s.example", n, o.Slug)
	if opts.Email != nil {
		email = *opts.Email
	}
	role := actor.RoleAdmin
	if opts.Role != nil {
		role = *opts.Role
	}
	u, err := user.NewService(pool, FastHashKiB, user.Limits{}).
		CreateForOrg(ctx, o.Slug, user.Input{Email: email, Role: string(role), Password: Password, Name: "Staff " + fmt.Sprint(n)})
	if err != nil {
		t.Fatalf("testfactory.User: %v", err)
	}
	return u
}

// Actor returns the actor a user acts as.
func Actor(u user.User) actor.Actor {
	return actor.Actor{Kind: actor.KindUser, ID: u.ID, Label: u.Email, OrgID: u.OrgID, Role: u.Role, IP: "192.0.2.1"}
}

// APIKey creates a key in o and returns it with its plaintext.
func APIKey(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o org.Org, role actor.Role) (apikey.Key, string) {
	t.Helper()
	k, plain, err := apikey.NewService(pool).CreateForOrg(ctx, o.Slug, apikey.Input{Name: fmt.Sprintf("key-%d", seq.Add(1)), Role: string(role)})
	if err != nil {
		t.Fatalf("testfactory.APIKey: %v", err)
	}
	return k, plain
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// SubscriberOpts customises Subscriber.
type SubscriberOpts struct {
	Username      *string
	Status        *string // active (default) or suspended
	PlanGroup     *string // creates a plan with this GenieACS group
	PPPoEUser     *string // default: the username
	PPPoEPassword *string // default: "pppoe-" + username; "" leaves none
}

// Subscriber inserts a subscriber with a subscription (plan and sealed PPPoE
// password) directly, through the subscriber test kit: no audit row.
func Subscriber(ctx context.Context, t testing.TB, pool *pgxpool.Pool, box *secret.Box, o org.Org, opts *SubscriberOpts) uuid.UUID {
	t.Helper()
	if opts == nil {
		opts = &SubscriberOpts{}
	}
	username := fmt.Sprintf("sub%d", seq.Add(1))
	if opts.Username != nil {
		username = *opts.Username
	}
	status := "active"
	if opts.Status != nil {
		status = *opts.Status
	}
	pppUser, pppPass := username, "pppoe-"+username
	if opts.PPPoEUser != nil {
		pppUser = *opts.PPPoEUser
	}
	if opts.PPPoEPassword != nil {
		pppPass = *opts.PPPoEPassword
	}
	s := subscribertest.Subscriber{OrgID: o.ID, Username: username, Name: "Subscriber " + username, Status: status,
		PPPoEUsername: pppUser, PPPoEPassword: pppPass}
	if opts.PlanGroup != nil {
		planID, err := subscribertest.Plan(ctx, pool, o.ID, *opts.PlanGroup)
		if err != nil {
			t.Fatalf("testfactory.Subscriber: %v", err)
		}
		s.PlanID = &planID
	}
	id, err := subscribertest.Insert(ctx, pool, box, s)
	if err != nil {
		t.Fatalf("testfactory.Subscriber: %v", err)
	}
	return id
}

// Device inserts an inventory device owned by o (nil: pending), optionally
// assigned to a subscriber, as the inventory import will.
func Device(ctx context.Context, t testing.TB, pool *pgxpool.Pool, o *org.Org, serial string, subscriber *uuid.UUID) uuid.UUID {
	t.Helper()
	d := cpetest.Device{SubscriberID: subscriber, Serial: serial}
	if o != nil {
		d.OrgID = &o.ID
	}
	id, err := cpetest.Insert(ctx, pool, d)
	if err != nil {
		t.Fatalf("testfactory.Device: %v", err)
	}
	return id
}

// DesiredWiFi stores a device's desired Wi-Fi on a band.
func DesiredWiFi(ctx context.Context, t testing.TB, pool *pgxpool.Pool, box *secret.Box, device uuid.UUID, band, ssid, password string) {
	t.Helper()
	sealed, kid := box.Seal([]byte(password), cpe.WiFiAAD(device, band))
	if _, err := pool.Exec(ctx, `INSERT INTO cpe_wifi (device_id, band, ssid, password_enc, key_id) VALUES ($1, $2, $3, $4, $5)`,
		device, band, ssid, sealed, kid); err != nil {
		t.Fatalf("testfactory.DesiredWiFi: %v", err)
	}
}

// GenieACSDevice registers the n-th device (0-based) of productClass among
// a simulator's ids (its GenieACS _ids, URL-escaped like "Archer%20AX10")
// as o's, the way identify records a device that informed: it returns our
// id and the GenieACS id.
func GenieACSDevice(ctx context.Context, t testing.TB, pool *pgxpool.Pool, client *genieacs.Client, o org.Org, ids []string, productClass string, n int) (uuid.UUID, string) {
	t.Helper()
	for _, gid := range ids {
		if !strings.Contains(gid, "-"+productClass+"-") {
			continue
		}
		if n > 0 {
			n--
			continue
		}
		return RegisterGenieACSDevice(ctx, t, pool, client, o, gid), gid
	}
	t.Fatalf("testfactory.GenieACSDevice: no %s number %d among the simulated devices", productClass, n)
	return uuid.Nil, ""
}

// RegisterGenieACSDevice records the GenieACS device gid as o's, the way
// identify records a device that informed, and returns our id.
func RegisterGenieACSDevice(ctx context.Context, t testing.TB, pool *pgxpool.Pool, client *genieacs.Client, o org.Org, gid string) uuid.UUID {
	t.Helper()
	d, err := client.GetDevice(ctx, gid, []string{"_deviceId", "InternetGatewayDevice.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.SoftwareVersion"})
	if err != nil {
		t.Fatalf("testfactory.RegisterGenieACSDevice: %v", err)
	}
	now := time.Now()
	id, err := cpetest.Insert(ctx, pool, cpetest.Device{OrgID: &o.ID, Serial: d.Identity.SerialNumber, OUI: d.Identity.OUI,
		ProductClass: d.Identity.ProductClass, Manufacturer: d.Identity.Manufacturer, GenieACSID: gid,
		DataModel: cpe.DataModel(d.Root()), FirstContactAt: &now})
	if err != nil {
		t.Fatalf("testfactory.RegisterGenieACSDevice: %v", err)
	}
	// Identify's note of its contact.
	if _, err := pool.Exec(ctx, `INSERT INTO cpe_contacts (device_id, last_identified_at) VALUES ($1, $2)`, id, now); err != nil {
		t.Fatalf("testfactory.RegisterGenieACSDevice: %v", err)
	}
	return id
}
