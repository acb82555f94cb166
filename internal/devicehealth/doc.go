// Package devicehealth reads a device's health time series (cpe_metrics, written
// by the device sync) for its charts and GET /cpe/devices/:id/metrics.
//
// Invariants:
//   - Tenancy: the device is looked up within the actor's organization
//     first; another organization's (or a pending) device is
//     db.ErrNotFound, and its samples are never read.
//   - Windows are Ranges only (24 h, 7 days, 30 days) ending now; any other
//     is a validation error on the field "range".
//   - Traffic is a rate, never a raw counter: for consecutive samples,
//     Mbps = Δbytes × 8 / Δseconds / 1e6. A pair is skipped when a counter
//     (bytes or uptime) went backwards — a reboot or reset — or when the
//     samples are more than MaxGap apart; the rate is dated at the later
//     sample.
//   - Every series is ordered by time and holds at most MaxPoints points:
//     a longer one is averaged into MaxPoints equal time buckets (rates
//     weighted by the seconds each covers, so a bucket is the mean rate).
package devicehealth
