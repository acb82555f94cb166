// Package dashboard gathers the figures on the organization's home page and
// behind GET /cpe/dashboard.
//
// Invariants:
//   - Every figure is scoped to the actor's organization: each query filters
//     on org_id, so pending devices (org_id NULL) and other organizations'
//     devices and faults are never counted.
//   - A device's status comes from its last inform exactly as the device
//     list's status filter reads it, against the same cpe.Thresholds (both
//     services are given them where they are built), so a count on the
//     dashboard is the length of the list it links to.
//   - The fleet figures are read from cpe_fleet_counts, which triggers on
//     cpe_devices keep (migrations/00007): devices per organization,
//     firmware, model and minute of last inform; Compact folds minutes
//     past the online threshold into hours and those past the stale one
//     into days. A minute or day a
//     threshold falls into is counted from cpe_devices itself, so the
//     figures are exact at any clock, and the cost is a few thousand rows
//     whatever the fleet's size.
//   - The counts and the exact counts are read in one repeatable-read
//     snapshot: a device that moves between them is counted once.
//   - Fleet figures are a snapshot: the service keeps each organization's for
//     a short TTL (DefaultCacheTTL) and computes them once however many
//     requests ask together; AsOf is when they were computed. The staff and
//     audit figures of Summary are read on every call.
//   - Days are UTC days, oldest first, always Days of them (zeros included).
package dashboard
