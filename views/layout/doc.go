// Package layout renders the page frame every page renders in (header,
// navigation, flash, footer), its Meta (title, active section, CSRF token)
// and the htmx alert fragment.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package layout
