// Package cpe owns the CPE inventory: devices as GenieACS reports them and
// as organizations claim and assign them.
//
// Invariants:
//   - A device's org_id is NULL while it is pending (seen, claimed by no
//     organization); every organization-scoped read filters on org_id.
//   - serial_norm is unique and is the label form of the serial: Huawei's
//     hex report 48575443A1B2C3D4 and the label HWTCA1B2C3D4 are one device.
//   - Identify and the device sync write a device's reported facts through
//     one upsert (upsert.go): one set of merge rules, and a claimed
//     device's identity is never replaced by a contradicting report.
//   - Identify (GenieACS BOOTSTRAP) is one upsert and, for an owned device,
//     one read: no NBI call, so it answers well inside GenieACS's 3 s ext
//     timeout. It answers the device's full desired configuration, so a
//     factory-reset device re-provisions itself.
//   - A device's first contact writes an audit row and a cpe.discovered
//     outbox event in the same transaction (installation-level when pending).
//   - Secrets (PPPoE and Wi-Fi passwords) are sealed at rest and leave only
//     in the identify answer to GenieACS.
package cpe
