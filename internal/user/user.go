package user

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/session"
	"github.com/fyberpay/cpe/internal/validation"
)

// User is one staff account. The password hash never leaves this package.
type User struct {
	ID                uuid.UUID  `json:"id" db:"id"`
	OrgID             uuid.UUID  `json:"orgId" db:"org_id"`
	Email             string     `json:"email" db:"email"`
	Name              string     `json:"name" db:"name"`
	Role              actor.Role `json:"role" db:"role"`
	Disabled          bool       `json:"disabled" db:"disabled"`
	CreatedAt         time.Time  `json:"createdAt" db:"created_at"`
	PasswordChangedAt time.Time  `json:"passwordChangedAt" db:"password_changed_at"`
	LastSeenAt        *time.Time `json:"lastSeenAt,omitempty" db:"-"` // List's alone: listed
}

// Errors a caller can tell apart.
var (
	ErrBadCredentials = errors.New("wrong e-mail or password")
	ErrEmailTaken     = errors.New("e-mail address already in use")
)

// Service is the staff-account service.
type Service struct {
	pool   *pgxpool.Pool
	hash   *hasher
	limits Limits
	// dummyHash is compared against when the e-mail is unknown, so a
	// wrong e-mail costs as much time as a wrong password.
	dummyHash string
}

// NewService builds the service; memoryKiB is argon2id's memory cost.
func NewService(pool *pgxpool.Pool, memoryKiB uint32, limits Limits) *Service {
	p := *argon2id.DefaultParams
	p.Memory = memoryKiB
	p.Parallelism = 1
	p.Iterations = 2
	dummy, err := argon2id.CreateHash("not-a-real-password-"+uuid.NewString(), &p)
	if err != nil {
		panic(err)
	}
	limits = limits.withDefaults()
	return &Service{pool: pool, hash: newHasher(&p, limits.HashSlots, limits.HashWait), limits: limits, dummyHash: dummy}
}

// Input is what a create form or API call supplies.
type Input struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

const (
	minPassword = 10
	maxPassword = 128
)

func checkPassword(errs validation.Errors, field, pw string) {
	switch n := len([]rune(pw)); {
	case n < minPassword:
		errs.Add(field, fmt.Sprintf("must be at least %d characters", minPassword))
	case n > maxPassword:
		errs.Add(field, fmt.Sprintf("must be at most %d characters", maxPassword))
	}
}

// validate checks in and returns the normalised e-mail, name and role.
func validate(in Input) (string, string, actor.Role, error) {
	errs := validation.Errors{}
	email := validation.Email(errs, "email", in.Email)
	name := validation.Text(errs, "name", in.Name, 0, 100)
	role, ok := actor.ParseRole(in.Role)
	if !ok {
		errs.Add("role", "must be one of owner, admin, technician, viewer")
	}
	checkPassword(errs, "password", in.Password)
	return email, name, role, errs.Err()
}

// CreateForOrg is the operator path (CLI): it creates a user in the
// organization with the given slug, attributing the audit row to the system.
func (s *Service) CreateForOrg(ctx context.Context, orgSlug string, in Input) (User, error) {
	op, err := org.Operator(ctx, s.pool, orgSlug)
	if err != nil {
		return User{}, err
	}
	return s.create(ctx, op, in)
}

// Create adds a staff user to the actor's organization.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (User, error) {
	if err := a.Require(actor.PermManageUsers); err != nil {
		return User{}, err
	}
	if in.Role == string(actor.RoleOwner) && a.Role != actor.RoleOwner {
		return User{}, validation.Errors{"role": "only an owner can create another owner"}
	}
	return s.create(ctx, a, in)
}

func (s *Service) create(ctx context.Context, a actor.Actor, in Input) (User, error) {
	email, name, role, err := validate(in)
	if err != nil {
		return User{}, err
	}
	h, err := s.hash.create(ctx, in.Password)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	var u User
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		u, err = db.One[User](ctx, tx, `INSERT INTO users (org_id, email, name, password_hash, role)
			VALUES ($1, $2, $3, $4, $5)
			RETURNING `+columns, a.OrgID, email, name, h, role)
		if err = db.MapErr(err); errors.Is(err, db.ErrConflict) {
			return validation.Errors{"email": "is already in use"}
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "user.create", TargetType: "user", TargetID: u.ID.String(),
			Summary: fmt.Sprintf("created %s as %s", u.Email, u.Role),
		})
	})
	return u, err
}

// columns are read into a User by name (its db tags).
const columns = `id, org_id, email, name, role, disabled, created_at, password_changed_at`

// listed is a User as List reads it: with when it was last seen.
type listed struct {
	User
	LastSeen *time.Time `db:"last_seen_at"`
}

// List returns the organization's staff, with when each was last seen.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]User, error) {
	if err := a.Require(actor.PermManageUsers); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+columns+`,
			(SELECT max(last_seen_at) FROM sessions s WHERE s.user_id = users.id) AS last_seen_at
		FROM users WHERE org_id = $1 ORDER BY email`, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[listed])
	if err != nil {
		return nil, err
	}
	var out []User
	for _, l := range ls {
		u := l.User
		u.LastSeenAt = l.LastSeen
		out = append(out, u)
	}
	return out, nil
}

// Get returns one user of the actor's organization.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (User, error) {
	if a.ID != id { // anyone may read their own account
		if err := a.Require(actor.PermManageUsers); err != nil {
			return User{}, err
		}
	}
	return get(ctx, s.pool, a.OrgID, id)
}

func get(ctx context.Context, exec db.Executor, orgID, id uuid.UUID) (User, error) {
	u, err := db.One[User](ctx, exec, `SELECT `+columns+` FROM users WHERE org_id = $1 AND id = $2`, orgID, id)
	return u, db.MapErr(err)
}

// Principal is a session's user as the web layer needs it.
type Principal struct {
	User
	OrgSlug string `db:"org_slug"`
	OrgName string `db:"org_name"`
	// OrgTimeZone is the organization's IANA time zone ("" for none yet).
	OrgTimeZone string `db:"org_time_zone"`
}

// principalColumns are read from users u joined to organizations o into
// a Principal by name.
const principalColumns = `u.id, u.org_id, u.email, u.name, u.role, u.disabled, u.created_at, u.password_changed_at,
	o.slug AS org_slug, o.name AS org_name, o.time_zone AS org_time_zone`

// ForSession loads the user a session names, refusing disabled users or a
// user whose organization no longer matches.
func (s *Service) ForSession(ctx context.Context, userID, orgID uuid.UUID) (Principal, error) {
	p, err := db.One[Principal](ctx, s.pool, `SELECT `+principalColumns+`
		FROM users u JOIN organizations o ON o.id = u.org_id
		WHERE u.id = $1 AND u.org_id = $2 AND NOT u.disabled`, userID, orgID)
	return p, db.MapErr(err)
}

// Change is an edit by an owner or admin of another staff member.
type Change struct {
	Role     *string `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	Name     *string `json:"name,omitempty"`
}

// Update applies a change to another user of the actor's organization.
func (s *Service) Update(ctx context.Context, a actor.Actor, id uuid.UUID, ch Change) (User, error) {
	if err := a.Require(actor.PermManageUsers); err != nil {
		return User{}, err
	}
	errs := validation.Errors{}
	var newRole actor.Role
	if ch.Role != nil {
		r, ok := actor.ParseRole(*ch.Role)
		if !ok {
			errs.Add("role", "must be one of owner, admin, technician, viewer")
		}
		newRole = r
	}
	var newName string
	if ch.Name != nil {
		newName = validation.Text(errs, "name", *ch.Name, 0, 100)
	}
	if err := errs.Err(); err != nil {
		return User{}, err
	}
	var u User
	err := db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := getForUpdate(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if before.ID == a.ID && (ch.Role != nil && newRole != before.Role || ch.Disabled != nil && *ch.Disabled) {
			return validation.Errors{"role": "you cannot change your own role or disable yourself; ask another owner or admin"}
		}
		if a.Role != actor.RoleOwner && (before.Role == actor.RoleOwner || newRole == actor.RoleOwner) {
			return actor.ErrForbidden
		}
		u = before
		var summary []string
		if ch.Role != nil && newRole != before.Role {
			u.Role = newRole
			summary = append(summary, fmt.Sprintf("role %s → %s", before.Role, newRole))
		}
		if ch.Name != nil && newName != before.Name {
			u.Name = newName
			summary = append(summary, "name changed")
		}
		if ch.Disabled != nil && *ch.Disabled != before.Disabled {
			u.Disabled = *ch.Disabled
			if u.Disabled {
				summary = append(summary, "disabled")
			} else {
				summary = append(summary, "enabled")
			}
		}
		if len(summary) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = $3, name = $4, disabled = $5, updated_at = now()
			WHERE org_id = $1 AND id = $2`, a.OrgID, id, u.Role, u.Name, u.Disabled); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if u.Disabled {
			if _, err := session.RevokeUser(ctx, tx, u.ID, ""); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "user.update", TargetType: "user", TargetID: u.ID.String(),
			Summary: u.Email + ": " + strings.Join(summary, ", "),
		})
	})
	return u, err
}

func getForUpdate(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID) (User, error) {
	u, err := db.One[User](ctx, tx, `SELECT `+columns+` FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE`, orgID, id)
	return u, db.MapErr(err)
}

// ChangePassword changes the actor's own password after checking the
// current one, revokes every other session of the user and keeps the
// session whose token is keepSession (the browser that made the change).
func (s *Service) ChangePassword(ctx context.Context, a actor.Actor, current, next, keepSession string) error {
	if a.Kind != actor.KindUser {
		return actor.ErrForbidden
	}
	errs := validation.Errors{}
	checkPassword(errs, "new_password", next)
	if current == next {
		errs.Add("new_password", "must differ from the current password")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	cur, err := db.One[struct {
		Email string `db:"email"`
		Hash  string `db:"password_hash"`
	}](ctx, s.pool, `SELECT email, password_hash FROM users WHERE org_id = $1 AND id = $2`, a.OrgID, a.ID)
	if err != nil {
		return db.MapErr(err)
	}
	email, hash := cur.Email, cur.Hash
	// The current password is guessed against the login's own counters: a
	// stolen session gets no more tries than the sign-in form gives.
	keys := []string{"email:" + email, "ip:" + a.IP}
	if err := s.reserve(ctx, keys); err != nil {
		return err
	}
	ok, err := s.hash.compare(ctx, current, hash)
	if unverified(err) {
		return s.unreserve(ctx, keys, err)
	}
	if err != nil || !ok {
		return validation.Errors{"current_password": "is not your current password"}
	}
	if err := s.release(ctx, s.pool, keys); err != nil {
		return err
	}
	h, err := s.hash.create(ctx, next)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now()
			WHERE org_id = $1 AND id = $2`, a.OrgID, a.ID, h); err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		n, err := session.RevokeUser(ctx, tx, a.ID, keepSession)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "user.password_change", TargetType: "user", TargetID: a.ID.String(),
			Summary: fmt.Sprintf("changed own password; %d other session(s) revoked", n),
		})
	})
}

// ResetPasswordForOrg is the operator path (CLI, demo seeding): it sets a
// user's password without the current one and revokes their sessions.
func (s *Service) ResetPasswordForOrg(ctx context.Context, orgSlug, email, password string) error {
	errs := validation.Errors{}
	checkPassword(errs, "password", password)
	if err := errs.Err(); err != nil {
		return err
	}
	op, err := org.Operator(ctx, s.pool, orgSlug)
	if err != nil {
		return err
	}
	h, err := s.hash.create(ctx, password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now()
			WHERE org_id = $1 AND email = $2 RETURNING id`, op.OrgID, strings.ToLower(email), h).Scan(&id)
		if err != nil {
			return db.MapErr(err)
		}
		if _, err := session.RevokeUser(ctx, tx, id, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, op, audit.Entry{
			Action: "user.password_reset", TargetType: "user", TargetID: id.String(), Summary: "password reset by operator for " + email,
		})
	})
}
