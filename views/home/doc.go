// Package home renders the dashboard: fleet counts and charts of the
// organization and its recent activity.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package home
