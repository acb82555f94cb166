// Package actor describes who is acting — a staff user, an API key or the
// system — and what each role may do. Services receive an Actor on every
// call and check it; the organization always comes from the Actor, never
// from input.
package actor

import (
	"errors"

	"github.com/google/uuid"
)

// ErrForbidden means the actor's role does not allow the action.
var ErrForbidden = errors.New("your role does not allow this")

// Role is a staff or API key role.
type Role string

// The roles of DESIGN.md §6.
const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleTechnician Role = "technician"
	RoleViewer     Role = "viewer"
)

// Roles lists every role, most powerful first.
func Roles() []Role { return []Role{RoleOwner, RoleAdmin, RoleTechnician, RoleViewer} }

// ParseRole validates a role name.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Permission is one capability a role may hold.
type Permission string

// Permissions. Owner and admin hold all; technicians act on devices (Wi-Fi,
// reboot, diagnostics, one device's factory reset, bulk reboot/refresh) but
// set no raw parameters, change no tags in bulk and manage no staff, keys,
// webhooks, firmware or provisions; viewers only read.
const (
	PermRead             Permission = "read"
	PermManageUsers      Permission = "manage_users"
	PermManageAPIKeys    Permission = "manage_api_keys"
	PermManageWebhooks   Permission = "manage_webhooks"
	PermViewJobs         Permission = "view_jobs"
	PermDeviceAction     Permission = "device_action"
	PermClaimDevice      Permission = "claim_device"
	PermFirmwareDeploy   Permission = "firmware_deploy"
	PermManageProvisions Permission = "manage_provisions"
	PermManageCatalog    Permission = "manage_catalog"
	// PermAdvancedConfig: raw TR-069 parameters, tags on many devices.
	PermAdvancedConfig Permission = "advanced_config"
)

var grants = map[Role]map[Permission]bool{
	RoleOwner: all(),
	RoleAdmin: all(),
	RoleTechnician: {
		PermRead: true, PermDeviceAction: true,
	},
	RoleViewer: {PermRead: true},
}

func all() map[Permission]bool {
	return map[Permission]bool{
		PermRead: true, PermManageUsers: true, PermManageAPIKeys: true, PermManageWebhooks: true,
		PermViewJobs: true, PermDeviceAction: true, PermClaimDevice: true, PermFirmwareDeploy: true,
		PermManageProvisions: true, PermManageCatalog: true, PermAdvancedConfig: true,
	}
}

// Kind says what sort of principal acts.
type Kind string

// Actor kinds, as stored in audit_log.actor_type.
const (
	KindUser   Kind = "user"
	KindAPIKey Kind = "api_key"
	KindSystem Kind = "system"
	// KindGenieACS is GenieACS calling back (identify), no organization yet.
	KindGenieACS Kind = "genieacs"
)

// Actor is the authenticated principal of one request or job.
type Actor struct {
	Kind  Kind
	ID    uuid.UUID // user or API key id; zero for the system
	Label string    // email or key name, shown in the audit log
	OrgID uuid.UUID
	Role  Role
	IP    string
	// Operator is set for the staff and keys of the installation's operator
	// organization (OPERATOR_ORG): they alone see what spans every
	// organization (device sync runs, GenieACS status, the job queue).
	Operator bool
}

// Can reports whether the actor's role holds p.
func (a Actor) Can(p Permission) bool { return grants[a.Role][p] }

// Require returns ErrForbidden unless the actor holds p.
func (a Actor) Require(p Permission) error {
	if a.OrgID == uuid.Nil || !a.Can(p) {
		return ErrForbidden
	}
	return nil
}

// ErrNotOperator refuses installation-wide views to other organizations.
var ErrNotOperator = errors.New("only the installation's operator organization (OPERATOR_ORG) sees this")

// RequireOperator is Require(PermViewJobs) for installation-wide views and
// actions: the actor must also belong to the operator organization.
func (a Actor) RequireOperator() error {
	if err := a.Require(PermViewJobs); err != nil {
		return err
	}
	if !a.Operator {
		return ErrNotOperator
	}
	return nil
}

// System is the actor for work done by the service itself in an org.
func System(orgID uuid.UUID) Actor {
	return Actor{Kind: KindSystem, Label: "system", OrgID: orgID, Role: RoleOwner}
}
