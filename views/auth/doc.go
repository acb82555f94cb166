// Package auth renders the sign-in form.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package auth
