// Package integration renders the Integration page (the spec's
// troubleshooting checks, run live) and the per-device checklist.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package integration
