// Package webhooks renders the webhook endpoint pages: the list and create
// form, one endpoint (edit, test, rotate the secret, delete) and its
// delivery log.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package webhooks
