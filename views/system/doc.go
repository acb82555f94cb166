// Package system renders the operator's pages: System (GenieACS breaker,
// bootstrap, identify, open identity conflicts) and the device sync runs.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package system
