// Package devices renders the device pages: the list with its filter and
// bulk form, one device (identity, identity conflicts, service, health
// charts, diagnostics, tasks, actions, push state, assignment), inventory
// (new device, CSV import preview) and the Pending page.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package devices
