package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/validation"
)

// Endpoint is a webhook receiver of one organization. Its secret is never
// part of it; see CreateEndpoint and RotateSecret.
type Endpoint struct {
	ID          uuid.UUID `json:"id" db:"id"`
	URL         string    `json:"url" db:"url"`
	Description string    `json:"description" db:"description"`
	Topics      []string  `json:"topics" db:"topics"`
	Enabled     bool      `json:"enabled" db:"enabled"`
	CreatedAt   time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt   time.Time `json:"updatedAt" db:"updated_at"`
}

// EndpointInput is what a settings form or API call supplies.
type EndpointInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Topics      []string `json:"topics"`
	Enabled     *bool    `json:"enabled"`
}

// Endpoints manages an organization's webhook endpoints (create, edit,
// rotate the secret, delete, send a test) and reads their delivery logs;
// publishing events is Write, delivering them the worker's.
type Endpoints struct {
	pool *pgxpool.Pool
	box  *secret.Box
	jobs JobInserter
}

// NewEndpoints builds the endpoint service.
func NewEndpoints(pool *pgxpool.Pool, box *secret.Box, jobs JobInserter) *Endpoints {
	return &Endpoints{pool: pool, box: box, jobs: jobs}
}

func (in EndpointInput) validate() (EndpointInput, error) {
	errs := validation.Errors{}
	in.URL = strings.TrimSpace(in.URL)
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		errs.Add("url", "is required")
	case len(in.URL) > 2000:
		errs.Add("url", "must be at most 2000 characters")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		errs.Add("url", "must be an absolute http(s) URL such as https://billing.example.net/hooks/cpe")
	case u.User != nil:
		errs.Add("url", "must not contain credentials; the signature authenticates us")
	}
	in.Description = validation.Text(errs, "description", in.Description, 0, 200)
	topics := []string{}
	for _, t := range in.Topics {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(topics, t) {
			continue
		}
		if !IsSubscribable(t) {
			errs.Add("topics", fmt.Sprintf("unknown topic %q", t))
			continue
		}
		topics = append(topics, t)
	}
	if len(topics) == 0 {
		errs.Add("topics", "choose at least one topic")
	}
	slices.Sort(topics)
	in.Topics = topics
	return in, errs.Err()
}

// CreateEndpoint adds an endpoint and returns it with its signing secret,
// shown this once.
func (s *Endpoints) CreateEndpoint(ctx context.Context, a actor.Actor, in EndpointInput) (Endpoint, string, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return Endpoint{}, "", err
	}
	in, err := in.validate()
	if err != nil {
		return Endpoint{}, "", err
	}
	enabled := in.Enabled == nil || *in.Enabled
	id := uuid.New()
	plain := newSecret()
	ct, kid := s.box.Seal([]byte(plain), id[:])
	var e Endpoint
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		e, err = db.One[Endpoint](ctx, tx, `INSERT INTO webhook_endpoints (id, org_id, url, description, secret_enc, secret_key_id, topics, enabled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+endpointColumns,
			id, a.OrgID, in.URL, in.Description, ct, kid, in.Topics, enabled)
		if err != nil {
			return fmt.Errorf("insert endpoint: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "webhook.create", TargetType: "webhook", TargetID: e.ID.String(),
			Summary: fmt.Sprintf("added webhook %s for %s", e.URL, strings.Join(e.Topics, ", ")),
		})
	})
	return e, plain, err
}

// endpointColumns are read into an Endpoint by name (its db tags).
const endpointColumns = `id, url, description, topics, enabled, created_at, updated_at`

// ListEndpoints returns the organization's endpoints.
func (s *Endpoints) ListEndpoints(ctx context.Context, a actor.Actor) ([]Endpoint, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Endpoint])
}

// GetEndpoint returns one endpoint of the actor's organization.
func (s *Endpoints) GetEndpoint(ctx context.Context, a actor.Actor, id uuid.UUID) (Endpoint, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return Endpoint{}, err
	}
	return getEndpoint(ctx, s.pool, a.OrgID, id)
}

func getEndpoint(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (Endpoint, error) {
	e, err := db.One[Endpoint](ctx, exec, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE org_id = $1 AND id = $2`, orgID, id)
	return e, db.MapErr(err)
}

// UpdateEndpoint replaces an endpoint's URL, description, topics and
// enabled flag. The secret is kept.
func (s *Endpoints) UpdateEndpoint(ctx context.Context, a actor.Actor, id uuid.UUID, in EndpointInput) (Endpoint, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return Endpoint{}, err
	}
	in, err := in.validate()
	if err != nil {
		return Endpoint{}, err
	}
	var e Endpoint
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := getEndpoint(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		enabled := before.Enabled
		if in.Enabled != nil {
			enabled = *in.Enabled
		}
		e, err = db.One[Endpoint](ctx, tx, `UPDATE webhook_endpoints SET url = $3, description = $4, topics = $5, enabled = $6, updated_at = now()
			WHERE org_id = $1 AND id = $2 RETURNING `+endpointColumns,
			a.OrgID, id, in.URL, in.Description, in.Topics, enabled)
		if err != nil {
			return db.MapErr(err)
		}
		var changes []string
		if before.URL != e.URL {
			changes = append(changes, "url "+before.URL+" → "+e.URL)
		}
		if !slices.Equal(before.Topics, e.Topics) {
			changes = append(changes, "topics "+strings.Join(e.Topics, ", "))
		}
		if before.Enabled != e.Enabled {
			changes = append(changes, map[bool]string{true: "enabled", false: "disabled"}[e.Enabled])
		}
		if before.Description != e.Description {
			changes = append(changes, "description changed")
		}
		if len(changes) == 0 {
			changes = append(changes, "no change")
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "webhook.update", TargetType: "webhook", TargetID: e.ID.String(),
			Summary: strings.Join(changes, "; "),
		})
	})
	return e, err
}

// RotateSecret replaces an endpoint's signing secret and returns the new
// one, shown this once.
func (s *Endpoints) RotateSecret(ctx context.Context, a actor.Actor, id uuid.UUID) (string, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return "", err
	}
	plain := newSecret()
	ct, kid := s.box.Seal([]byte(plain), id[:])
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET secret_enc = $3, secret_key_id = $4, updated_at = now()
			WHERE org_id = $1 AND id = $2`, a.OrgID, id, ct, kid)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "webhook.rotate_secret", TargetType: "webhook", TargetID: id.String(), Summary: "rotated signing secret",
		})
	})
	return plain, err
}

// DeleteEndpoint removes an endpoint and its delivery log.
func (s *Endpoints) DeleteEndpoint(ctx context.Context, a actor.Actor, id uuid.UUID) error {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return err
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var u string
		if err := tx.QueryRow(ctx, `DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2 RETURNING url`, a.OrgID, id).Scan(&u); err != nil {
			return db.MapErr(err)
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "webhook.delete", TargetType: "webhook", TargetID: id.String(), Summary: "removed webhook " + u,
		})
	})
}

// SendTest queues a webhook.ping event for one endpoint, delivered through
// the same path as every event.
func (s *Endpoints) SendTest(ctx context.Context, a actor.Actor, id uuid.UUID) (uuid.UUID, error) {
	if err := a.Require(actor.PermManageWebhooks); err != nil {
		return uuid.Nil, err
	}
	var eventID uuid.UUID
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		e, err := getEndpoint(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		eventID, err = write(ctx, tx, s.jobs, a.OrgID, TopicPing,
			map[string]any{"endpointId": e.ID, "message": "test event from FyberPay CPE", "requestedBy": a.Label}, &e.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "webhook.test", TargetType: "webhook", TargetID: id.String(), Summary: "sent test event " + eventID.String(),
		})
	})
	return eventID, err
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "whsec_" + hex.EncodeToString(b)
}
