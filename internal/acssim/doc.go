// Package acssim simulates GenieACS 1.2.16 and the CPEs behind it, so tests,
// benchmarks and the demo run without GenieACS, MongoDB or real devices.
//
// It serves the NBI (port 7557 style: collections, tasks, tags, faults,
// presets, provisions, files) and the genieacs-fs file server (7567 style)
// with the status codes, reason phrases, plain-text errors, headers and body
// framing recorded from a real GenieACS (testdata/captures, replayed by
// TestCaptureReplay). Simulated CPEs of three models (Huawei HG8245H and ZTE
// F660 on TR-098, TP-Link Archer AX10 on TR-181) inform periodically, run
// queued tasks, reboot, factory-reset, download firmware, run TR-143
// diagnostics and, on BOOTSTRAP, call the app's identify endpoint the way
// the fyberpay-bootstrap provision's ext() script does.
//
// Invariants:
//
//   - A device has an NBI document only after its first inform (or again
//     after its next inform when the document was deleted); until then every
//     NBI route answers "No such device" for it and queries skip it.
//   - All state is in memory behind one RWMutex. A session holds its device
//     (the cwmp_session lock): sessions of one device never overlap, and
//     deleting a device, its fault or its task during one answers
//     "503 Device is in session".
//   - Each model's parameter tree is one immutable template shared by every
//     device; a device stores only what differs (written values, added or
//     deleted instances, what the ACS discovered, timestamps), and documents
//     are rendered on the fly. 10^5 devices fit in tens of MB.
//   - Secrets (passwords, WiFi keys, connection request password) keep what
//     was written but read back as "" in documents, like real CPEs.
//   - _writable (and an object's _timestamp) appear only for what the ACS
//     discovered: a refreshObject subtree, or the parent object of a
//     parameter a task or identify read or wrote. The whole tree's values are
//     visible from the first inform (the real one shows only the inform
//     parameters until provisions fetch more).
//   - Device time runs Options.TimeCompression times faster than wall time
//     (inform intervals, reboots, transfers, diagnostics, UpTime).
//   - Completed tasks are deleted; faulted tasks stay with a fault
//     "<deviceId>:task_<taskId>" and are retried after GenieACS's backoff
//     (300 s × 2^retries, compressed) or after POST /tasks/<id>/retry.
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
//   - Identify failures fault the "fyberpay-bootstrap" channel (the preset's): ext.Error with
//     "Unexpected status code <n>" or the connection error, timeout with
//     "Extension timed out"; identify is retried at every later inform
//     until it succeeds, which deletes the fault. A value the CPE rejects
//     (a WiFi key under 8 characters) faults the channel with its CWMP code.
//   - TR-181 diagnostics finish in DiagnosticsState "Complete" (TR-181
//     enumeration), TR-098 ones in "Completed".
//
// Known differences: answers with a non-standard reason phrase ("202 Task
// faulted", "504 Device is offline") are written on a hijacked connection
// that is then closed, since net/http cannot send custom reason phrases;
// presets, provisions and virtual parameters are stored and compile-checked
// but not executed.
package acssim
