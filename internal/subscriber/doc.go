// Package subscriber manages an organization's plans and subscribers, and
// each subscriber's subscription (plan + PPPoE credentials).
//
// Invariants:
//   - Every plan and subscriber belongs to one organization; all reads and
//     writes are scoped to the actor's organization (another organization's
//     rows are not found). A subscriber's plan is always a plan of the same
//     organization.
//   - Usernames are unique per organization; plan names likewise. A
//     username is 1–64 printable ASCII characters without spaces (it becomes
//     the sub:<username> device tag, each character outside [A-Za-z0-9_:-]
//     mapped to '_'), and no two subscribers of an organization share that
//     tag (alice.w and alice_w would: the second is refused). A plan's GenieACS group is [A-Za-z0-9_:-]{1,64} (it
//     becomes the plan:<group> device tag, and tags may not contain '.').
//   - Every subscriber has exactly one subscription row, created with it.
//   - The PPPoE password is sealed with internal/secret (AES-256-GCM, key
//     id stored, bound to the subscription id) and is write-only: only this
//     package names its column or opens it, and it leaves only through
//     Credentials and Open (a Sealed scanned from SealedColumns in the
//     caller's own query), for the device push and identify.
//     An edit without a password keeps the stored one; a password needs a
//     PPPoE username.
//   - Writes need PermManageCatalog (owner, admin); reads PermRead. Every
//     write records an audit row in its transaction; summaries never carry
//     the password.
//   - Listings are keyset-paged on the username (no OFFSET).
package subscriber
