// Package apikeys renders the API keys page: the organization's keys, the
// create form (the new key shown once) and the revoke button of each row
// (an htmx swap).
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package apikeys
