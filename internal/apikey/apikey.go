// Package apikey manages the per-organization API keys integrations use on
// the JSON API.
//
// A key looks like "fpk_<prefix>_<secret>". Only its SHA-256 is stored, with
// the prefix (indexed, unique) to find the row; the hash is compared in
// constant time. The full key is shown once, at creation. A key belongs to
// one organization and carries a role (never owner); revoked keys stop
// working at once.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/validation"
)

// Key is a stored API key, without its secret.
type Key struct {
	ID         uuid.UUID  `json:"id" db:"id"`
	Name       string     `json:"name" db:"name"`
	Role       actor.Role `json:"role" db:"role"`
	Prefix     string     `json:"prefix" db:"prefix"`
	CreatedAt  time.Time  `json:"createdAt" db:"created_at"`
	LastUsedAt *time.Time `json:"lastUsedAt" db:"last_used_at"`
	RevokedAt  *time.Time `json:"revokedAt" db:"revoked_at"`
}

// ErrInvalid means the presented key is unknown, malformed or revoked.
var ErrInvalid = errors.New("invalid or revoked API key")

// Service manages API keys.
type Service struct{ pool *pgxpool.Pool }

// NewService builds the service.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Input is what a create form or call supplies.
type Input struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Create makes a key in the actor's organization and returns it with the
// plaintext, which is never shown again.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Key, string, error) {
	if err := a.Require(actor.PermManageAPIKeys); err != nil {
		return Key{}, "", err
	}
	return s.create(ctx, a, in)
}

// CreateForOrg is the operator path (CLI).
func (s *Service) CreateForOrg(ctx context.Context, orgSlug string, in Input) (Key, string, error) {
	op, err := org.Operator(ctx, s.pool, orgSlug)
	if err != nil {
		return Key{}, "", err
	}
	return s.create(ctx, op, in)
}

func (s *Service) create(ctx context.Context, a actor.Actor, in Input) (Key, string, error) {
	errs := validation.Errors{}
	name := validation.Text(errs, "name", in.Name, 1, 100)
	if in.Role == "" {
		in.Role = string(actor.RoleAdmin)
	}
	role, ok := actor.ParseRole(in.Role)
	if !ok || role == actor.RoleOwner {
		errs.Add("role", "must be one of admin, technician, viewer")
	}
	if err := errs.Err(); err != nil {
		return Key{}, "", err
	}
	var createdBy *uuid.UUID
	if a.Kind == actor.KindUser {
		createdBy = &a.ID
	}
	for range 3 { // a prefix collision (2^-60) just draws again
		plain, prefix := generate()
		sum := sha256.Sum256([]byte(plain))
		var k Key
		err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			k, err = db.One[Key](ctx, tx, `INSERT INTO api_keys (org_id, name, role, prefix, key_hash, created_by)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+columns,
				a.OrgID, name, role, prefix, sum[:], createdBy)
			if err != nil {
				return db.MapErr(err)
			}
			return audit.Record(ctx, tx, a, audit.Entry{
				Action: "apikey.create", TargetType: "api_key", TargetID: k.ID.String(),
				Summary: fmt.Sprintf("created API key %q (%s, role %s)", k.Name, k.Prefix, k.Role),
			})
		})
		if errors.Is(err, db.ErrConflict) {
			continue
		}
		return k, plain, err
	}
	return Key{}, "", errors.New("could not draw a unique key prefix")
}

// columns are read into a Key by name (its db tags).
const columns = `id, name, role, prefix, created_at, last_used_at, revoked_at`

// List returns the organization's keys, newest first.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Key, error) {
	if err := a.Require(actor.PermManageAPIKeys); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM api_keys WHERE org_id = $1 ORDER BY created_at DESC`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Key])
}

// Get returns one key of the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Key, error) {
	if err := a.Require(actor.PermManageAPIKeys); err != nil {
		return Key{}, err
	}
	k, err := db.One[Key](ctx, s.pool, `SELECT `+columns+` FROM api_keys WHERE org_id = $1 AND id = $2`, a.OrgID, id)
	return k, db.MapErr(err)
}

// Revoke stops a key from working. Revoking a revoked key is a no-op.
func (s *Service) Revoke(ctx context.Context, a actor.Actor, id uuid.UUID) (Key, error) {
	if err := a.Require(actor.PermManageAPIKeys); err != nil {
		return Key{}, err
	}
	var k Key
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		k, err = db.One[Key](ctx, tx, `SELECT `+columns+` FROM api_keys WHERE org_id = $1 AND id = $2 FOR UPDATE`, a.OrgID, id)
		if err != nil {
			return db.MapErr(err)
		}
		if k.RevokedAt != nil {
			return nil
		}
		if err := tx.QueryRow(ctx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1 RETURNING revoked_at`, id).Scan(&k.RevokedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "apikey.revoke", TargetType: "api_key", TargetID: k.ID.String(),
			Summary: fmt.Sprintf("revoked API key %q (%s)", k.Name, k.Prefix),
		})
	})
	return k, err
}

// Authenticate resolves a presented key to its actor. ip is recorded on
// the actor for audit rows.
func (s *Service) Authenticate(ctx context.Context, presented, ip string) (actor.Actor, error) {
	prefix, ok := parsePrefix(presented)
	if !ok {
		return actor.Actor{}, ErrInvalid
	}
	type withHash struct {
		Key
		OrgID   uuid.UUID `db:"org_id"`
		KeyHash []byte    `db:"key_hash"`
	}
	r, err := db.One[withHash](ctx, s.pool, `SELECT `+columns+`, org_id, key_hash FROM api_keys WHERE prefix = $1`, prefix)
	if err != nil {
		if errors.Is(db.MapErr(err), db.ErrNotFound) {
			return actor.Actor{}, ErrInvalid
		}
		return actor.Actor{}, fmt.Errorf("load api key: %w", err)
	}
	sum := sha256.Sum256([]byte(presented))
	k, orgID, stored := r.Key, r.OrgID, r.KeyHash
	if subtle.ConstantTimeCompare(sum[:], stored) != 1 || k.RevokedAt != nil {
		return actor.Actor{}, ErrInvalid
	}
	if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > time.Minute {
		// At most one write a minute per key keeps hot keys cheap.
		if _, err := s.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = now() WHERE id = $1`, k.ID); err != nil {
			return actor.Actor{}, fmt.Errorf("touch api key: %w", err)
		}
	}
	return actor.Actor{Kind: actor.KindAPIKey, ID: k.ID, Label: "key:" + k.Name, OrgID: orgID, Role: k.Role, IP: ip}, nil
}

// Keys are "fpk_" + 12 base32 chars of prefix + "_" + 32 base32 chars of secret.
const keyTag = "fpk_"

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

func generate() (plain, prefix string) {
	b := make([]byte, 7+20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	prefix = strings.ToLower(enc.EncodeToString(b[:7]))[:12]
	secret := strings.ToLower(enc.EncodeToString(b[7:]))
	return keyTag + prefix + "_" + secret, prefix
}

func parsePrefix(k string) (string, bool) {
	rest, ok := strings.CutPrefix(k, keyTag)
	if !ok {
		return "", false
	}
	prefix, secret, ok := strings.Cut(rest, "_")
	if !ok || len(prefix) != 12 || len(secret) != 32 {
		return "", false
	}
	return prefix, true
}
