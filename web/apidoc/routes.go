package apidoc

import "net/http"

// op is one documented operation: its method and path (the router's
// pattern, ":name" for a path parameter), what it does, its query
// parameters, and its answer on success.
type op struct {
	method, path, summary string
	query                 []string
	ok                    []int // the success statuses (200 when none)
}

var (
	created  = []int{http.StatusCreated}
	accepted = []int{http.StatusAccepted}
	noBody   = []int{http.StatusNoContent}
	// task: a device task answers 200 when it is done at once, 202 while
	// it is pending, queued or running (Location: its /cpe/tasks/:id).
	task = []int{http.StatusOK, http.StatusAccepted}
)

const (
	get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
)

// ops is every operation of the JSON API, written apart from the router:
// TestDocumentCoversTheRouter compares the two both ways.
var ops = []op{
	{get, "/cpe/me", "The calling key: its organization and role.", nil, nil},
	{get, "/cpe/dashboard", "Fleet figures: totals, online/offline/stale, firmware, models, faults per day, firmware compliance, optical alarms.", nil, nil},
	{get, "/cpe/users", "The organization's staff users.", nil, nil},
	{post, "/cpe/users", "Create a staff user.", nil, created},
	{get, "/cpe/users/:id", "One staff user.", nil, nil},
	{patch, "/cpe/users/:id", "Change a user's role, name or disabled flag.", nil, nil},
	{get, "/cpe/api-keys", "The organization's API keys (never their secret).", nil, nil},
	{post, "/cpe/api-keys", "Create an API key; the answer carries the key once.", nil, created},
	{get, "/cpe/api-keys/:id", "One API key.", nil, nil},
	{post, "/cpe/api-keys/:id/revoke", "Revoke an API key.", nil, nil},
	{del, "/cpe/api-keys/:id", "Revoke an API key.", nil, nil},
	{get, "/cpe/audit", "The audit log, newest first.", []string{"actor", "action", "targetType", "targetId", "from", "to", "limit", "before"}, nil},
	{get, "/cpe/audit/:id", "One audit row.", nil, nil},
	{get, "/cpe/organization", "The key's organization and its settings.", nil, nil},
	{put, "/cpe/organization", "Change the organization's time zone or optical thresholds.", nil, nil},
	{get, "/cpe/webhooks", "The organization's webhook endpoints.", nil, nil},
	{post, "/cpe/webhooks", "Create a webhook endpoint; the answer carries its signing secret once.", nil, created},
	{get, "/cpe/webhooks/:id", "One webhook endpoint.", nil, nil},
	{put, "/cpe/webhooks/:id", "Replace a webhook endpoint.", nil, nil},
	{del, "/cpe/webhooks/:id", "Delete a webhook endpoint.", nil, noBody},
	{post, "/cpe/webhooks/:id/test", "Queue a webhook.ping to the endpoint.", nil, accepted},
	{post, "/cpe/webhooks/:id/rotate-secret", "A new signing secret, shown once.", nil, nil},
	{get, "/cpe/webhooks/:id/deliveries", "The endpoint's delivery log with every attempt.", []string{"before", "limit"}, nil},
	{get, "/cpe/devices", "Devices matching a filter, keyset-paged.", []string{"serial", "subscriber", "model", "firmware", "tag", "pon_port", "status", "sort", "limit", "after"}, nil},
	{get, "/cpe/devices.csv", "The same filter as CSV.", []string{"serial", "subscriber", "model", "firmware", "tag", "pon_port", "status", "sort"}, nil},
	{post, "/cpe/devices", "Add a device to the inventory (a pending one is claimed).", nil, created},
	{post, "/cpe/devices/import", "Check an inventory CSV: the preview with per-row errors.", []string{"filename"}, created},
	{get, "/cpe/devices/:id", "One device with its subscriber, plan, push state, capabilities and recent actions.", nil, nil},
	{get, "/cpe/models", "The organization's models with their capability counts.", nil, nil},
	{get, "/cpe/optical", "GPON ONTs' optical levels, weakest first.", []string{"status", "pon_port", "limit", "after"}, nil},
	{get, "/cpe/optical/ports", "The PON ports with ONTs in optical alarm, most first.", nil, nil},
	{post, "/cpe/devices/:id/assign-subscriber", "Assign a subscriber (or move them here) and push their PPPoE.", nil, accepted},
	{get, "/cpe/identity-conflicts", "Open identity conflicts, newest first.", []string{"limit"}, nil},
	{post, "/cpe/devices/:id/identity-conflicts/:cid/accept", "Accept a reported identity (a swap or RMA).", nil, nil},
	{post, "/cpe/devices/:id/identity-conflicts/:cid/reject", "Reject a reported identity.", nil, nil},
	{post, "/cpe/devices/:id/unassign", "Remove the subscriber; the CPE's PPPoE login is cleared.", nil, accepted},
	{put, "/cpe/devices/:id/pon-port", "Record the OLT port the ONT hangs off.", nil, nil},
	{post, "/cpe/devices/:id/push", "Push the desired configuration again.", nil, accepted},
	{post, "/cpe/devices/bulk", "A bulk action over chosen devices or a filter.", nil, accepted},
	{post, "/cpe/devices/:id/wifi", "Set the Wi-Fi name and key.", nil, task},
	{post, "/cpe/devices/:id/parameters", "Set raw parameter values.", nil, task},
	{post, "/cpe/devices/:id/reboot", "Reboot the CPE.", nil, task},
	{post, "/cpe/devices/:id/factory-reset", "Reset the CPE to factory defaults.", nil, task},
	{post, "/cpe/devices/:id/refresh", "Read health values (or a subtree) from the CPE now.", nil, task},
	{post, "/cpe/devices/:id/speed-test", "A TR-143 download test.", nil, task},
	{post, "/cpe/devices/:id/upload-test", "A TR-143 upload test.", nil, task},
	{post, "/cpe/devices/:id/ping", "An IP ping from the CPE.", nil, task},
	{post, "/cpe/devices/:id/traceroute", "A TR-143 traceroute from the CPE.", nil, task},
	{post, "/cpe/devices/:id/wifi-scan", "Scan the neighbouring Wi-Fi networks.", nil, task},
	{post, "/cpe/devices/:id/wifi-channel", "Set a band's Wi-Fi channel.", nil, task},
	{get, "/cpe/devices/:id/diagnostics", "The latest diagnostics results and Wi-Fi scan.", nil, nil},
	{get, "/cpe/devices/:id/line", "What support asks first, as GenieACS last read it.", nil, nil},
	{get, "/cpe/devices/:id/parameters", "One level of the device's parameter tree, or a search over it.", []string{"path", "q"}, nil},
	{post, "/cpe/devices/:id/objects", "Add or delete a table instance.", nil, task},
	{get, "/cpe/devices/:id/hosts", "LAN hosts and Wi-Fi clients as GenieACS last read them.", nil, nil},
	{post, "/cpe/devices/:id/hosts/refresh", "Read the hosts tables from the CPE now.", nil, task},
	{get, "/cpe/devices/:id/metrics", "The device's health series.", []string{"range"}, nil},
	{get, "/cpe/tasks", "Device tasks, newest first.", []string{"status", "kind", "device", "bulk", "limit", "after"}, nil},
	{get, "/cpe/tasks/:id", "One device task.", nil, nil},
	{post, "/cpe/tasks/:id/retry", "Retry a failed task.", nil, task},
	{post, "/cpe/tasks/:id/cancel", "Cancel a task (deleted from GenieACS).", nil, nil},
	{get, "/cpe/bulk/:id", "A bulk action's progress.", nil, nil},
	{get, "/cpe/imports/:id", "An import's preview.", nil, nil},
	{post, "/cpe/imports/:id/commit", "Commit an import (all rows or none).", nil, nil},
	{get, "/cpe/pending", "Unclaimed devices.", []string{"serial", "after"}, nil},
	{post, "/cpe/pending/:id/claim", "Claim a pending device.", nil, nil},
	{get, "/cpe/plans", "The organization's plans.", nil, nil},
	{post, "/cpe/plans", "Create a plan.", nil, created},
	{get, "/cpe/plans/:id", "One plan.", nil, nil},
	{put, "/cpe/plans/:id", "Replace a plan.", nil, nil},
	{get, "/cpe/subscribers", "Subscribers, keyset-paged.", []string{"q", "status", "limit", "after"}, nil},
	{post, "/cpe/subscribers", "Create a subscriber with their PPPoE credentials.", nil, created},
	{get, "/cpe/subscribers/:id", "One subscriber (never the PPPoE password).", nil, nil},
	{put, "/cpe/subscribers/:id", "Replace a subscriber.", nil, nil},
	{post, "/cpe/subscribers/:id/suspend", "Suspend a subscriber.", nil, nil},
	{post, "/cpe/subscribers/:id/activate", "Activate a subscriber.", nil, nil},
	{get, "/cpe/faults", "GenieACS faults, newest first.", []string{"status", "code", "model", "device", "limit", "after"}, nil},
	{get, "/cpe/faults/:id", "One fault.", nil, nil},
	{post, "/cpe/faults/:id/clear", "Clear a fault (deleted in GenieACS).", nil, nil},
	{get, "/cpe/sync/runs", "The latest device sync passes.", nil, nil},
	{get, "/cpe/firmware", "The firmware image library.", nil, nil},
	{post, "/cpe/firmware", "Upload an image (multipart/form-data, streamed).", nil, created},
	{post, "/cpe/firmware/upload", "Upload an image in base64 JSON.", nil, created},
	{post, "/cpe/firmware/deploy", "Start a firmware rollout (200 for a dry run).", nil, []int{http.StatusAccepted, http.StatusOK}},
	{get, "/cpe/firmware/deployments", "Firmware rollouts.", nil, nil},
	{get, "/cpe/firmware/deployments/:id", "One rollout with its counts.", nil, nil},
	{post, "/cpe/firmware/deployments/:id/pause", "Pause a rollout.", nil, nil},
	{post, "/cpe/firmware/deployments/:id/resume", "Resume a rollout.", nil, nil},
	{post, "/cpe/firmware/deployments/:id/cancel", "Cancel a rollout.", nil, nil},
	{get, "/cpe/firmware/:id", "One firmware image.", nil, nil},
	{del, "/cpe/firmware/:id", "Delete an image from GenieACS and the library.", nil, noBody},
	{get, "/cpe/provisions", "The organization's provision scripts.", nil, nil},
	{get, "/cpe/provisions/:name", "One provision with its versions.", []string{"version"}, nil},
	{put, "/cpe/provisions/:name", "Save a provision script (checked first).", nil, nil},
	{del, "/cpe/provisions/:name", "Delete a provision and its preset.", nil, noBody},
	{post, "/cpe/provisions/:name/revert", "Save an earlier version as the next one.", nil, nil},
	{put, "/cpe/provisions/:name/binding", "Bind a provision to events (a preset).", nil, nil},
	{post, "/cpe/provisions/:name/try", "Run a provision once on one device.", nil, nil},
	{get, "/cpe/openapi.json", "This document.", nil, nil},
	{post, "/internal/cpe/identify", "GenieACS's bootstrap reports a device and gets its desired state (the internal key, not an API key).", nil, nil},
}
