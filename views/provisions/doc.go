// Package provisions renders the Provisions pages: the organization's own
// GenieACS provision scripts (list, a new one), and one script's editor
// with its syntax error shown on its line, its binding and its versions.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package provisions
