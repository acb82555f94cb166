// Package devsync keeps cpe_devices in step with GenieACS (the spec's
// SyncProcessor): an incremental pass every SYNC_INTERVAL (a minute) reads the devices whose
// _lastInform moved since the last watermark (minus an overlap), a full
// pass on a longer period walks every device (keyset paging on _id) and
// marks the devices GenieACS no longer has.
//
// Each pass streams the NBI's pages (one document decoded at a time),
// validates each document (a malformed one, or one with text PostgreSQL
// refuses such as a NUL byte, is skipped with a counted reason and logged,
// never aborting the pass; the watermark passes it all the same), and writes batches through COPY into a
// temporary staging table followed by one upsert, so memory stays flat
// whatever the fleet size. Unchanged devices are not rewritten. Unknown
// devices are created as pending (unassigned, no organization). Health
// values are kept on the device and sampled into cpe_metrics at most once
// per SampleEvery. After an incremental pass the online state is judged
// again and transitions write cpe.online / cpe.offline events (a device
// that changed state less than Debounce ago stays quiet).
//
// Invariants: a pass either finishes or leaves no half-written batch (each
// batch is one transaction); deletion marks are written only after a
// complete full pass; passes never overlap (River unique jobs, and a
// session advisory lock).
package devsync
