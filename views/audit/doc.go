// Package audit renders the audit log page: its filter (actor, action,
// dates) and the keyset-paged table of entries.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package audit
