// Package shared renders small components used across pages: times (UTC,
// with the absolute value in a title).
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package shared
