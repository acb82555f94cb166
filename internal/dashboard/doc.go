// Package dashboard gathers the figures on the organization's home page and
// behind GET /cpe/dashboard.
//
// Invariants:
//   - Every figure is scoped to the actor's organization: each query filters
//     on org_id, so pending devices (org_id NULL) and other organizations'
//     devices and faults are never counted.
//   - A device's status comes from its last inform exactly as the device
//     list's status filter reads it (cpe.OnlineWindow, cpe.StaleAfter), so
//     a count on the dashboard is the length of the list it links to.
//   - The fleet figures are one pass over the organization's devices: one
//     query, whatever the number of models and firmware versions.
//   - Fleet figures are a snapshot: the service keeps each organization's for
//     a short TTL (DefaultCacheTTL) and computes them once however many
//     requests ask together; AsOf is when they were computed. The staff and
//     audit figures of Summary are read on every call.
//   - Days are UTC days, oldest first, always Days of them (zeros included).
package dashboard
