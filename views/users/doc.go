// Package users renders the staff users page: the list, role changes,
// disable/enable and the create form.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package users
