// Package errorpage renders the page every error is rendered as in a
// browser (status, message, a way back).
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package errorpage
