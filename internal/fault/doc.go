// Package fault keeps GenieACS's faults as the fault board shows them, and
// clears them.
//
// A periodic job (PollArgs) reads the whole faults collection once a minute
// and reconciles cpe_faults with it in one transaction:
//
//   - a fault not seen before is stored "active" and raises a fault.raised
//     event; one that had been "resolved" (gone from GenieACS by itself) and
//     is back becomes "active" again, with a new raised_at and an event;
//   - an active fault seen again gets its retries, message, detail and
//     last_seen_at refreshed;
//   - an active fault GenieACS no longer holds becomes "resolved" and
//     writes a fault.resolved event (status "resolved").
//
// A pass that cannot read the whole collection changes nothing. Documents
// that are not faults as GenieACS writes them (no _id or device, a field of
// the wrong type, an _id, device, channel or code holding text PostgreSQL
// refuses such as a NUL byte) are skipped and reported, never fatal; an
// active row whose document is merely malformed is not resolved. Other text
// is made storable: the message loses its NUL bytes, a detail jsonb would
// refuse (a lone surrogate) is re-encoded, one holding a NUL is dropped.
//
// Tenancy: a fault belongs to the organization of the device whose
// genieacs_id it names. Faults of unknown or pending devices are stored with
// org_id NULL: no organization lists them and no event is written for them;
// once the device is claimed the next pass attaches them. Every read and
// clear is scoped to the actor's organization (another organization's fault
// is db.ErrNotFound).
//
// Clearing (device_action permission) deletes the fault in GenieACS first,
// then marks the row "cleared" (cleared_by, resolved_at) with its audit row
// and a fault.resolved event (status "cleared") in one transaction. GenieACS deletes a task with its task fault, so the
// cpe_tasks row of that task ends failed and is no longer followed (see
// action.TaskFaultCleared). A poll that listed the fault just before it was
// cleared does not revive the row.
package fault
