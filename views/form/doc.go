// Package form renders field-level form helpers: the per-field error text
// and the attributes that mark a field invalid.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package form
