// Package user manages staff accounts and their login.
//
// Invariants:
//   - Every user belongs to exactly one organization; every read and write
//     is scoped to the acting user's organization, and a user of another
//     organization is reported as not found.
//   - E-mail addresses are unique across the installation (they are the
//     login name) and stored lower-case.
//   - Only owners create, edit or disable owners; admins manage admins,
//     technicians and viewers. Nobody changes their own role or disables
//     themselves, so an organization always keeps an enabled owner.
//   - Disabling a user or changing a password revokes the user's sessions
//     in the same transaction.
//   - Failed logins are counted per e-mail and per client IP in Postgres
//     (shared by replicas); past the limit, logins are refused with
//     ErrThrottled until the lock expires, even with the right password.
package user
