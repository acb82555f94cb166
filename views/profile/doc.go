// Package profile renders the signed-in staff member's profile page and the
// password change form.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package profile
