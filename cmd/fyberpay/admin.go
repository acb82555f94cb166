package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/url"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/acssim"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/app"
	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/jobs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/user"
)

// openDB loads the database part of the configuration and connects.
func openDB(ctx context.Context, env config.Lookup) (*pgxpool.Pool, *config.Config, error) {
	cfg, err := config.Load(env, config.Needs{})
	if err != nil {
		return nil, nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	return pool, cfg, err
}

func migrate(ctx context.Context, env config.Lookup, args []string, stdout io.Writer) error {
	if err := parseFlags(newFlags("migrate"), args); err != nil {
		return err
	}
	pool, _, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := db.Migrate(ctx, pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated: schema version %d (%d applied now), river migrations applied now: %d\n",
		res.AppVersion, res.AppApplied, res.RiverApplied)
	return nil
}

func orgCreate(ctx context.Context, env config.Lookup, args []string, stdout io.Writer) error {
	fs := newFlags("org create")
	slug := fs.String("slug", "", "")
	name := fs.String("name", "", "")
	if err := parseFlags(fs, args, "slug", "name"); err != nil {
		return err
	}
	pool, _, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	o, err := org.Create(ctx, pool, *slug, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created organization %s (%s) id=%s\n", o.Slug, o.Name, o.ID)
	return nil
}

// readPassword takes the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("user create: the password must be given on stdin (e.g. echo \"$PW\" | fyberpay user create ...)")
	}
	return line, nil
}

func userCreate(ctx context.Context, env config.Lookup, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlags("user create")
	orgSlug := fs.String("org", "", "")
	email := fs.String("email", "", "")
	role := fs.String("role", "", "")
	name := fs.String("name", "", "")
	if err := parseFlags(fs, args, "org", "email", "role"); err != nil {
		return err
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	pool, cfg, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, err := user.NewService(pool, cfg.PasswordHashMemoryKiB, user.Limits{}).
		CreateForOrg(ctx, *orgSlug, user.Input{Email: *email, Name: *name, Role: *role, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (%s) in %s id=%s\n", u.Email, u.Role, *orgSlug, u.ID)
	return nil
}

func apikeyCreate(ctx context.Context, env config.Lookup, args []string, stdout io.Writer) error {
	fs := newFlags("apikey create")
	orgSlug := fs.String("org", "", "")
	name := fs.String("name", "", "")
	role := fs.String("role", "admin", "")
	if err := parseFlags(fs, args, "org", "name"); err != nil {
		return err
	}
	pool, _, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	k, plain, err := apikey.NewService(pool).CreateForOrg(ctx, *orgSlug, apikey.Input{Name: *name, Role: *role})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created API key %q (role %s, prefix %s) in %s; it is shown only now:\n", k.Name, k.Role, k.Prefix, *orgSlug)
	fmt.Fprintln(stdout, plain)
	return nil
}

// Demo identity, fixed so `make run` is idempotent.
const (
	demoSlug  = "demo"
	demoName  = "Demo ISP"
	demoEmail = "owner@demo.fyberpay.test"
)

// demo makes sure the demo organization and its owner exist, sets the
// owner's password to the one given (or a new random one), and prints the
// credentials. Re-running it is safe.
func demo(ctx context.Context, env config.Lookup, args []string, stdout io.Writer) error {
	fs := newFlags("demo")
	password := fs.String("password", "", "")
	simDevices := fs.Int("sim-devices", 0, "")
	simSeed := fs.Int64("sim-seed", 1, "")
	simProfiles := fs.String("sim-profiles", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	mix, err := parseProfiles(*simProfiles)
	if err != nil {
		return err
	}
	simOpts := acssim.Options{Devices: *simDevices, Seed: *simSeed, Profiles: mix}
	if *password == "" {
		*password = randomPassword()
	}
	pool, cfg, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	o, err := org.BySlug(ctx, pool, demoSlug)
	if errors.Is(err, db.ErrNotFound) {
		o, err = org.Create(ctx, pool, demoSlug, demoName)
	}
	if err != nil {
		return err
	}
	users := user.NewService(pool, cfg.PasswordHashMemoryKiB, user.Limits{})
	if err := users.ResetPasswordForOrg(ctx, demoSlug, demoEmail, *password); errors.Is(err, db.ErrNotFound) {
		if _, err := users.CreateForOrg(ctx, demoSlug, user.Input{Email: demoEmail, Name: "Demo owner", Role: "owner", Password: *password}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo organization %q ready\n  e-mail:   %s\n  password: %s\n", demoSlug, demoEmail, *password)
	v, ok := env("ENCRYPTION_KEY")
	if !ok || v == "" {
		return nil // PPPoE passwords need ENCRYPTION_KEY: no subscribers then
	}
	keys, err := config.ParseEncryptionKeys(v)
	if err != nil {
		return &config.Error{Var: "ENCRYPTION_KEY", Reason: err.Error()}
	}
	box, err := secret.NewBox(keys)
	if err != nil {
		return err
	}
	if err := demoSubscribers(ctx, subscriber.NewService(pool, box), actor.System(o.ID), stdout); err != nil {
		return err
	}
	if *simDevices <= 0 {
		return nil
	}
	ins, err := jobs.NewInserter(pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if err := demoInventory(ctx, pool, cpe.NewService(pool, box, ins).WithThresholds(app.Thresholds(cfg)), actor.System(o.ID), simOpts, stdout); err != nil {
		return err
	}
	return demoFirmware(ctx, pool, env, ins, actor.System(o.ID), simOpts, stdout)
}

// demoVersion is the version of the demo's firmware images.
const demoVersion = "DEMO-2026.12"

// demoFirmware uploads one firmware image per model of the simulator's
// devices into a demo organization that has none, to the GenieACS (the
// simulator) at GENIEACS_NBI_URL, so the Firmware page is not empty and a
// deployment can be tried. Without GenieACS it does nothing.
func demoFirmware(ctx context.Context, pool *pgxpool.Pool, env config.Lookup, ins outbox.JobInserter, a actor.Actor, opts acssim.Options, stdout io.Writer) error {
	v, ok := env("GENIEACS_NBI_URL")
	if !ok || v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return &config.Error{Var: "GENIEACS_NBI_URL", Reason: err.Error()}
	}
	acs, err := genieacs.New(genieacs.Config{NBIURL: u})
	if err != nil {
		return err
	}
	images := firmware.NewService(pool, acs, ins)
	if have, err := images.List(ctx, a); err != nil || len(have) > 0 {
		return err
	}
	sim, err := acssim.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	models := map[[2]string]bool{}
	for _, id := range sim.DeviceIDs() {
		parts := strings.SplitN(id, "-", 3)
		oui, _ := url.PathUnescape(parts[0])
		pc, _ := url.PathUnescape(parts[1])
		models[[2]string{oui, pc}] = true
	}
	data := make([]byte, 2<<20)
	for i := range data {
		data[i] = byte(i*131 + i>>9)
	}
	for m := range models {
		name := strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return '-'
		}, m[1]) + "_" + demoVersion + ".bin"
		if _, err := images.Upload(ctx, a, firmware.Meta{Filename: name, OUI: m[0], ProductClass: m[1], Version: demoVersion},
			bytes.NewReader(data), int64(len(data)), images.MaxBytes); err != nil {
			return fmt.Errorf("demo firmware %s: %w", name, err)
		}
	}
	fmt.Fprintf(stdout, "  %d firmware images (one per simulated model, version %s) on the simulator's file server\n", len(models), demoVersion)
	return nil
}

// demoInventory puts four in five of the simulator's devices (`fyberpay
// sim` with the same count and seed) into a demo organization that has no
// devices yet, through the CSV import staff use (the ONTs with their PON
// port), the first three assigned to the demo subscribers: when the simulator's devices bootstrap they are
// the organization's (its dashboard, faults and health fill), the others
// wait under Pending to be claimed.
func demoInventory(ctx context.Context, pool *pgxpool.Pool, devices *cpe.Service, a actor.Actor, opts acssim.Options, stdout io.Writer) error {
	n := opts.Devices
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices WHERE org_id = $1`, a.OrgID).Scan(&have); err != nil || have > 0 {
		return err
	}
	sim, err := acssim.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	var csv strings.Builder
	csv.WriteString("serial,subscriber,pon_port\n")
	subscribers := []string{"achieng", "baraka", "chausiku"}
	listed, assigned := 0, 0
	for i, id := range sim.DeviceIDs() {
		if i%5 == 4 {
			continue // left pending
		}
		sub := ""
		if assigned < len(subscribers) && !strings.Contains(id, "-N301-") {
			sub = subscribers[assigned] // the demo's plain IP gateways take no PPPoE login
			assigned++
		}
		// The GPON ONTs hang off an OLT's ports, 16 to a port (the fault
		// board groups optical alarms by it); routers and gateways do not.
		port := ""
		if strings.Contains(id, "-HG8245H-") || strings.Contains(id, "-F660-") {
			port = fmt.Sprintf("OLT-Nairobi-1 0/1/%d", i/16+1)
		}
		csv.WriteString(id[strings.LastIndexByte(id, '-')+1:] + "," + sub + "," + port + "\n")
		listed++
	}
	p, err := devices.PreviewImport(ctx, a, "demo.csv", strings.NewReader(csv.String()))
	if err != nil {
		return err
	}
	if p.Invalid > 0 {
		return fmt.Errorf("demo inventory: %d of %d rows refused", p.Invalid, len(p.Rows))
	}
	res, err := devices.CommitImport(ctx, a, p.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  %d simulated devices in the inventory (%d assigned), %d left pending\n", res.Added+res.Claimed, res.Assigned, n-listed)
	return nil
}

// demoSubscribers gives a new demo organization two plans and three
// subscribers with PPPoE credentials, so a simulated device can be claimed
// and assigned at once. It leaves an organization that has plans alone.
func demoSubscribers(ctx context.Context, subs *subscriber.Service, a actor.Actor, stdout io.Writer) error {
	plans, err := subs.ListPlans(ctx, a)
	if err != nil || len(plans) > 0 {
		return err
	}
	var ids []*uuid.UUID
	for _, p := range []subscriber.PlanInput{{Name: "Home 10 Mbps", Group: "home10"}, {Name: "Home 50 Mbps", Group: "home50"}} {
		plan, err := subs.CreatePlan(ctx, a, p)
		if err != nil {
			return err
		}
		ids = append(ids, &plan.ID)
	}
	for i, name := range []string{"Achieng Otieno", "Baraka Mwangi", "Chausiku Njeri"} {
		username := strings.ToLower(strings.Fields(name)[0])
		if _, err := subs.Create(ctx, a, subscriber.Input{
			Username: username, Name: name, Phone: fmt.Sprintf("+2547000000%02d", i+1), PlanID: ids[i%2],
			PPPoEUsername: username + "@demo", PPPoEPassword: randomPassword(),
		}); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "  plans home10, home50; subscribers achieng, baraka, chausiku (claim a device under Pending, then assign)")
	return nil
}

func randomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}
