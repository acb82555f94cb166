package subscriber

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/secret"
)

// Plan is a service plan.
type Plan struct {
	ID    uuid.UUID `json:"id" db:"id"`
	Name  string    `json:"name" db:"name"`
	Group string    `json:"genieacsGroup" db:"genieacs_group"` // the plan:<group> device tag
	// SeveralDevices lets a subscriber on the plan have more than one
	// device, each further one with its own PPPoE login.
	SeveralDevices bool      `json:"severalDevices" db:"several_devices"`
	CreatedAt      time.Time `json:"createdAt" db:"created_at"`
	UpdatedAt      time.Time `json:"updatedAt" db:"updated_at"`
}

// PlanInput creates or edits a plan.
type PlanInput struct {
	Name           string `json:"name"`
	Group          string `json:"genieacsGroup"`
	SeveralDevices bool   `json:"severalDevices"`
}

// Statuses of a subscriber.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Subscriber is one subscriber with their subscription. The PPPoE password
// is never part of it: HasPPPoEPassword says whether one is set.
type Subscriber struct {
	ID               uuid.UUID  `json:"id" db:"id"`
	Username         string     `json:"username" db:"username"`
	Name             string     `json:"name" db:"name"`
	Phone            string     `json:"phone" db:"phone"`
	Status           string     `json:"status" db:"status"`
	PlanID           *uuid.UUID `json:"planId" db:"plan_id"`
	PlanName         string     `json:"planName,omitempty" db:"plan_name"`
	PlanGroup        string     `json:"planGroup,omitempty" db:"plan_group"`
	PPPoEUsername    string     `json:"pppoeUsername" db:"pppoe_username"`
	HasPPPoEPassword bool       `json:"hasPppoePassword" db:"has_pppoe_password"`
	CreatedAt        time.Time  `json:"createdAt" db:"created_at"`
	UpdatedAt        time.Time  `json:"updatedAt" db:"updated_at"`
}

// Input creates or edits a subscriber. On edit, an empty PPPoEPassword
// keeps the stored one (write-only field); ClearPPPoEPassword removes it.
type Input struct {
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	Phone              string     `json:"phone"`
	PlanID             *uuid.UUID `json:"planId"`
	PPPoEUsername      string     `json:"pppoeUsername"`
	PPPoEPassword      string     `json:"pppoePassword"`
	ClearPPPoEPassword bool       `json:"clearPppoePassword,omitempty"`
}

// Filter narrows a subscriber listing.
type Filter struct {
	Q      string // username prefix (case-sensitive, indexed), or name or phone containing it (case-insensitive)
	Status string // "", active, suspended
	After  string // keyset cursor: the last username of the previous page
	Limit  int    // default 50, max 200
}

// Page is a page of subscribers ordered by username; Next is the cursor of
// the following page ("" on the last).
type Page struct {
	Items []Subscriber `json:"items"`
	Next  string       `json:"next,omitempty"`
}

// Credentials are what a device push needs (the only way the PPPoE password
// leaves the package).
type Credentials struct {
	SubscriberID  uuid.UUID
	Username      string // the subscriber's username (sub:<username> tag)
	Status        string
	PlanGroup     string // "" when no plan
	PPPoEUsername string
	PPPoEPassword string // "" when none set
}

// Service manages plans and subscribers.
type Service struct {
	pool *pgxpool.Pool
	box  *secret.Box
}

// NewService builds the service.
func NewService(pool *pgxpool.Pool, box *secret.Box) *Service { return &Service{pool: pool, box: box} }
