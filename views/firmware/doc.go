// Package firmware renders the Firmware page: the organization's image
// library (model, version, size, sha256, who and when, devices running
// it) and the upload form, whose progress htmx reports while the image
// streams to GenieACS.
//
// Templates read only the view models they are given (page structs and
// domain values): no package state, no service or database calls.
package firmware
