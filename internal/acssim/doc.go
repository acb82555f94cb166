// Package acssim simulates GenieACS 1.2.16 and the CPEs behind it, so tests,
// benchmarks and the demo run without GenieACS, MongoDB or real devices. Its
// job is to be as strict as GenieACS, never kinder: a flow that works here
// must work there.
//
// It serves the NBI (port 7557 style: collections, tasks, tags, faults,
// presets, provisions, files) and the genieacs-fs file server (7567 style)
// with the status codes, reason phrases, plain-text errors, headers and body
// framing recorded from a real GenieACS (testdata/captures, replayed by
// TestCaptureReplay). Simulated CPEs (Huawei HG8245H and ZTE F660 on TR-098,
// TP-Link Archer AX10 on TR-181; a single-band Tenda N301 without PPP by
// name) inform periodically, reboot, factory-reset, download firmware and
// run TR-143 diagnostics.
//
// A session runs as GenieACS's does (lib/cwmp.ts, lib/session.ts,
// lib/sandbox.ts, rewritten from their behaviour, acsdoc.go, engine.go,
// sandbox.go, run.go): the Inform updates the document; queued tasks run
// one by one as GenieACS's default provisions on their channel
// "task_<id>"; then the presets whose events, precondition and weight
// match run together, pass after pass while a pass changes the document.
// Provision scripts run in a goja sandbox with GenieACS's declare, clear,
// commit, ext, log, args, Date.now() and seeded Math.random; declarations
// become GetParameterNames, GetParameterValues, SetParameterValues,
// AddObject and DeleteObject on the simulated CPE. ext() runs the ext
// script in Node (ext.go).
//
// Invariants:
//
//   - A device has an NBI document only after its first inform (or again
//     after its next inform when the document was deleted); until then every
//     NBI route answers "No such device" for it and queries skip it.
//   - The document holds only what the Inform carried and what was fetched
//     or set, each with its timestamp; a value is what the CPE held then,
//     so after a factory reset the old configuration shows until a
//     provision clears it or reads again. _writable appears for what a
//     GetParameterNames listed, _timestamp on an object for when it did.
//   - State is in memory behind one RWMutex; a session holds its device
//     (the cwmp_session lock) and takes the mutex only for its steps, never
//     while a script or an extension runs. Deleting a device, its fault or
//     its task during a session answers "503 Device is in session".
//   - Each model's parameter tree is one immutable template shared by every
//     device; a device stores only its CPE-side differences (written
//     values, added or deleted instances) and its document (a few dozen
//     entries: listed objects and fetched values). 10^5 devices fit in a
//     few hundred MB.
//   - Secrets (passwords, Wi-Fi keys) keep what was written but read back
//     as "" from the CPE, like real CPEs; GenieACS's document holds what it
//     set until it reads them again.
//   - Device time runs Options.TimeCompression times faster than wall time
//     (inform intervals, reboots, transfers, diagnostics, UpTime, GenieACS's
//     retry backoff).
//   - Completed tasks are deleted; faulted ones stay with a fault
//     "<deviceId>:task_<taskId>"; a faulted channel is retried after
//     GenieACS's backoff (300 s x 2^retries, compressed) or after
//     POST /tasks/<id>/retry.
//
// Where GenieACS crashes (invalid task body, DELETE /tasks/<non-ObjectId>,
// retry of an unknown task, DELETE of a missing file, a query that throws)
// the simulator answers nothing and closes the connection after
// Options.DropDelay, as the real NBI does after ~20 s.
//
// Choices where the reference left one open:
//
//   - A download whose file does not exist faults the task at once:
//     cwmp.9010 "Download failed" (202 Task faulted).
//   - A firmware image whose metadata oui/productClass name another model is
//     accepted by the Download RPC (the task completes, 200) and rejected
//     after the transfer, as a CPE validating the image would: the
//     TransferComplete fault lands on the task's channel as cwmp.9018
//     "File corrupted" and the version does not change.
//   - An image whose file name holds ImageFailMarker ("-simfail") fails
//     the same way with cwmp.9010 "Download failed: image verification
//     failed"; after one holding ImageBrickMarker ("-simbrick") the device
//     reboots and never informs again (a bricked CPE), for tests and the
//     demo.
//   - A value the CPE rejects (a Wi-Fi key under 8 characters, an inform
//     interval of 0) faults with cwmp.9007 naming the parameter.
//   - TR-181 diagnostics finish in DiagnosticsState "Complete" (TR-181
//     enumeration), TR-098 ones in "Completed".
//   - GetParameterNames is one level at a time, but the whole subtree at
//     once for a refresh of an object (GenieACS picks by a heuristic; the
//     document ends up the same).
//   - A script gets 2 s of wall time (GenieACS: 50 ms of V8 time; goja is
//     slower), and a timeout is reported with GenieACS's message.
//
// Known differences: answers with a non-standard reason phrase ("202 Task
// faulted", "504 Device is offline") are written on a hijacked connection
// that is then closed, since net/http cannot send custom reason phrases;
// virtual parameters are stored and compile-checked but not executed (a
// declaration of VirtualParameters.* finds nothing); cron expressions in
// Date.now() and preset schedules are refused.
package acssim
