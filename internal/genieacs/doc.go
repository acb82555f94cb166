// Package genieacs is the typed client for the GenieACS 1.2.16 NBI (and its
// file server), as DESIGN.md §5 and reference/genieacs-nbi-observed.md
// describe it — nothing invented.
//
// Invariants:
//   - Every call goes through one gobreaker circuit breaker: 5xx, 429,
//     timeouts, dropped connections and transport errors count as failures;
//     other 4xx and context cancellation are excluded. An open breaker fails
//     fast with ErrCircuitOpen (503 in handlers, a snooze in River workers).
//   - Task bodies are validated before sending: the real NBI answers an
//     invalid task by dropping the connection after ~20 s.
//   - A task's outcome is the HTTP reason phrase (200 done; 202 queued,
//     faulted, offline, not processed, connection-request error); the body
//     is the stored task. "Done" never proves a write (a missing path is a
//     silent 200): callers read values back.
//   - One device is a query on _id (there is no GET /devices/<id>); device
//     ids are URL-encoded again in paths; tags are percent-encoded and never
//     contain '.'.
//   - Device listings stream: one document is decoded at a time, so 10^5
//     devices never sit in memory together.
package genieacs
