// Package outbox publishes domain events to organizations' webhook
// endpoints, at least once.
//
// Invariants:
//   - An event is written by Write on the transaction of the change it
//     describes, together with the River job that dispatches it: either
//     both the change and the event commit, or neither.
//   - The event id is stable across every attempt and every endpoint; it is
//     what receivers deduplicate on.
//   - Dispatch creates one delivery per (event, endpoint) (a unique key makes
//     re-dispatch harmless) and one River job per delivery; River persists
//     retries, so a restart between attempts loses nothing.
//   - Each attempt is logged (status code or error, duration) before the job
//     reports its outcome. Bodies are signed with HMAC-SHA256 over
//     "<timestamp>.<body>" using the endpoint's secret, which is stored
//     encrypted (internal/secret) and shown once, at creation or rotation.
//   - Endpoints, deliveries and attempts are read only within their
//     organization.
package outbox
