// Package faults renders the fault board: GenieACS faults per device with
// their state and the clear button.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package faults
