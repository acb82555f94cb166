// Package subscribers renders the subscriber and plan pages: lists, create
// and edit forms (the PPPoE password write-only), status and PPPoE badges.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package subscribers
