// Package action runs staff and API actions on devices through GenieACS —
// Wi-Fi, raw parameters, reboot, factory reset, ping and speed test,
// refresh, bulk actions — and reports each one's truthful status.
//
// Every action is a task record (cpe_tasks) written with its audit row in one
// transaction, then sent to GenieACS with a connection request. What GenieACS
// answers decides the next state (DESIGN.md §5):
//
//   - 200: the device ran it in a session without fault. That does not prove
//     a write (a path the device lacks is a silent 200), so writes are read
//     back (a getParameterValues, then the stored value) before "done"; a
//     missing path or a different value is "failed", naming the path —
//     unless a later task on the device wrote the same path: then it is
//     "superseded" (naming that task), not a failure.
//     Secrets (Wi-Fi keys, passwords) read back as "" on CPEs: for them the
//     path existing is the proof, and they are never compared.
//   - 202 Task faulted: "failed" with the CWMP fault code and the parameter
//     the CPE named.
//   - any other 202 (offline, connection request error, not processed):
//     "queued". A River job (TaskArgs) follows it: gone with no fault means
//     it ran (then read back); a fault "<deviceId>:task_<taskId>" means it
//     failed; past its lifetime it is deleted from GenieACS and "expired".
//   - GenieACS unreachable (breaker open, timeouts): the task stays
//     "pending" and the same job sends it when GenieACS answers. Nothing is
//     lost and nothing is sent twice: a sender claims the task for a lease
//     first, and the GenieACS task carries a uniqueKey of the task id.
//
// A failed task whose GenieACS task still exists is still followed, because
// GenieACS retries faulted tasks by itself: if a retry succeeds the status
// becomes "done". Retry and cancel map to GenieACS's retry and delete (or a
// fresh send from the sealed request when GenieACS no longer holds it).
//
// Invariants: a task row belongs to its device's organization; summaries,
// messages and logs never carry a secret (the GenieACS request is stored
// sealed with the installation's key); every state change that ends a task
// writes a cpe.task_finished outbox event in the same transaction.
package action
