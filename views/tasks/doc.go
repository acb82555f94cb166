// Package tasks renders the task list across devices and the bulk action
// page with its progress (htmx polling).
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package tasks
