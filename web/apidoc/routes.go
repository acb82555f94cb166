package apidoc

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/web/api"
)

// list is an {"items": [...]} answer.
type list[T any] struct {
	Items []T `json:"items"`
}

// The answers the handlers build on the spot.
type (
	opticalPorts struct {
		Items     []cpe.OpticalPort `json:"items"`
		Truncated bool              `json:"truncated"`
	}
	conflicts struct {
		Items []cpe.IdentityConflict `json:"items"`
		Total int                    `json:"total"`
	}
	secretAnswer struct {
		Secret string `json:"secret"`
	}
	testEvent struct {
		EventID uuid.UUID `json:"eventId"`
	}
)

// op is one documented operation: its method and path (the router's
// pattern, ":name" for a path parameter), what it does, its query
// parameters, and its answer on success.
type op struct {
	method, path, summary string
	query                 []string
	ok                    []int // the success statuses (200 when none)
	body                  any   // the success answer's Go type (a zero value); nil: not described yet
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
	{get, "/cpe/me", "The calling key: its organization and role.", nil, nil, api.MeAnswer{}},
	{get, "/cpe/dashboard", "Fleet figures: totals, online/offline/stale, firmware, models, faults per day, firmware compliance, optical alarms.", nil, nil, api.DashboardAnswer{}},
	{get, "/cpe/users", "The organization's staff users.", nil, nil, list[user.User]{}},
	{post, "/cpe/users", "Create a staff user.", nil, created, user.User{}},
	{get, "/cpe/users/:id", "One staff user.", nil, nil, user.User{}},
	{patch, "/cpe/users/:id", "Change a user's role, name or disabled flag.", nil, nil, user.User{}},
	{get, "/cpe/api-keys", "The organization's API keys (never their secret).", nil, nil, list[apikey.Key]{}},
	{post, "/cpe/api-keys", "Create an API key; the answer carries the key once.", nil, created, api.KeyCreated{}},
	{get, "/cpe/api-keys/:id", "One API key.", nil, nil, apikey.Key{}},
	{post, "/cpe/api-keys/:id/revoke", "Revoke an API key.", nil, nil, apikey.Key{}},
	{del, "/cpe/api-keys/:id", "Revoke an API key.", nil, nil, apikey.Key{}},
	{get, "/cpe/audit", "The audit log, newest first.", []string{"actor", "action", "targetType", "targetId", "from", "to", "limit", "before"}, nil, audit.Page{}},
	{get, "/cpe/audit/:id", "One audit row.", nil, nil, audit.Row{}},
	{get, "/cpe/organization", "The key's organization and its settings.", nil, nil, org.Org{}},
	{put, "/cpe/organization", "Change the organization's time zone or optical thresholds.", nil, nil, org.Org{}},
	{get, "/cpe/webhooks", "The organization's webhook endpoints.", nil, nil, list[outbox.Endpoint]{}},
	{post, "/cpe/webhooks", "Create a webhook endpoint; the answer carries its signing secret once.", nil, created, api.WebhookCreated{}},
	{get, "/cpe/webhooks/:id", "One webhook endpoint.", nil, nil, outbox.Endpoint{}},
	{put, "/cpe/webhooks/:id", "Replace a webhook endpoint.", nil, nil, outbox.Endpoint{}},
	{del, "/cpe/webhooks/:id", "Delete a webhook endpoint.", nil, noBody, nil},
	{post, "/cpe/webhooks/:id/test", "Queue a webhook.ping to the endpoint.", nil, accepted, testEvent{}},
	{post, "/cpe/webhooks/:id/rotate-secret", "A new signing secret, shown once.", nil, nil, secretAnswer{}},
	{get, "/cpe/webhooks/:id/deliveries", "The endpoint's delivery log with every attempt.", []string{"before", "limit"}, nil, outbox.DeliveryPage{}},
	{get, "/cpe/devices", "Devices matching a filter, keyset-paged.", []string{"serial", "subscriber", "model", "firmware", "tag", "pon_port", "status", "sort", "limit", "after"}, nil, cpe.Page{}},
	{get, "/cpe/devices.csv", "The same filter as CSV.", []string{"serial", "subscriber", "model", "firmware", "tag", "pon_port", "status", "sort"}, nil, nil},
	{post, "/cpe/devices", "Add a device to the inventory (a pending one is claimed).", nil, created, cpe.Device{}},
	{post, "/cpe/devices/import", "Check an inventory CSV: the preview with per-row errors.", []string{"filename"}, created, cpe.ImportPreview{}},
	{get, "/cpe/devices/:id", "One device with its subscriber, plan, push state, capabilities and recent actions.", nil, nil, cpe.Detail{}},
	{get, "/cpe/models", "The organization's models with their capability counts.", nil, nil, list[cpe.Model]{}},
	{get, "/cpe/optical", "GPON ONTs' optical levels, weakest first.", []string{"status", "pon_port", "limit", "after"}, nil, cpe.OpticalPage{}},
	{get, "/cpe/optical/ports", "The PON ports with ONTs in optical alarm, most first.", nil, nil, opticalPorts{}},
	{post, "/cpe/devices/:id/assign-subscriber", "Assign a subscriber (or move them here) and push their PPPoE.", nil, accepted, cpe.Device{}},
	{get, "/cpe/identity-conflicts", "Open identity conflicts, newest first.", []string{"limit"}, nil, conflicts{}},
	{post, "/cpe/devices/:id/identity-conflicts/:cid/accept", "Accept a reported identity (a swap or RMA).", nil, nil, cpe.IdentityConflict{}},
	{post, "/cpe/devices/:id/identity-conflicts/:cid/reject", "Reject a reported identity.", nil, nil, cpe.IdentityConflict{}},
	{post, "/cpe/devices/:id/unassign", "Remove the subscriber; the CPE's PPPoE login is cleared.", nil, accepted, cpe.Device{}},
	{put, "/cpe/devices/:id/pon-port", "Record the OLT port the ONT hangs off.", nil, nil, cpe.Device{}},
	{post, "/cpe/devices/:id/push", "Push the desired configuration again.", nil, accepted, cpe.Device{}},
	{post, "/cpe/devices/bulk", "A bulk action over chosen devices or a filter.", nil, accepted, action.Bulk{}},
	{post, "/cpe/devices/:id/wifi", "Set the Wi-Fi name and key.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/parameters", "Set raw parameter values.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/reboot", "Reboot the CPE.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/wake", "Send a connection request only: does the CPE answer GenieACS now? (Recorded for the checklist.)", nil, nil, action.WakeResult{}},
	{post, "/cpe/devices/:id/factory-reset", "Reset the CPE to factory defaults.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/refresh", "Read health values (or a subtree) from the CPE now.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/speed-test", "A TR-143 download test.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/upload-test", "A TR-143 upload test.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/ping", "An IP ping from the CPE.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/traceroute", "A TR-143 traceroute from the CPE.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/wifi-scan", "Scan the neighbouring Wi-Fi networks.", nil, task, action.Task{}},
	{post, "/cpe/devices/:id/wifi-channel", "Set a band's Wi-Fi channel.", nil, task, action.Task{}},
	{get, "/cpe/devices/:id/diagnostics", "The latest diagnostics results and Wi-Fi scan.", nil, nil, action.Diagnostics{}},
	{get, "/cpe/devices/:id/line", "What support asks first, as GenieACS last read it.", nil, nil, action.Line{}},
	{get, "/cpe/devices/:id/parameters", "One level of the device's parameter tree, or a search over it.", []string{"path", "q"}, nil, action.Tree{}},
	{post, "/cpe/devices/:id/objects", "Add or delete a table instance.", nil, task, action.Task{}},
	{get, "/cpe/devices/:id/hosts", "LAN hosts and Wi-Fi clients as GenieACS last read them.", nil, nil, action.Hosts{}},
	{post, "/cpe/devices/:id/hosts/refresh", "Read the hosts tables from the CPE now.", nil, task, action.Task{}},
	{get, "/cpe/devices/:id/metrics", "The device's health series.", []string{"range"}, nil, devicehealth.Series{}},
	{get, "/cpe/tasks", "Device tasks, newest first.", []string{"status", "kind", "device", "bulk", "limit", "after"}, nil, action.Page{}},
	{get, "/cpe/tasks/:id", "One device task.", nil, nil, action.Task{}},
	{post, "/cpe/tasks/:id/retry", "Retry a failed task.", nil, task, action.Task{}},
	{post, "/cpe/tasks/:id/cancel", "Cancel a task (deleted from GenieACS).", nil, nil, action.Task{}},
	{get, "/cpe/bulk/:id", "A bulk action's progress.", nil, nil, action.Bulk{}},
	{get, "/cpe/imports/:id", "An import's preview.", nil, nil, cpe.ImportPreview{}},
	{post, "/cpe/imports/:id/commit", "Commit an import (all rows or none).", nil, nil, cpe.ImportResult{}},
	{get, "/cpe/pending", "Unclaimed devices.", []string{"serial", "after"}, nil, cpe.Page{}},
	{post, "/cpe/pending/:id/claim", "Claim a pending device.", nil, nil, cpe.Device{}},
	{get, "/cpe/plans", "The organization's plans.", nil, nil, list[subscriber.Plan]{}},
	{post, "/cpe/plans", "Create a plan.", nil, created, subscriber.Plan{}},
	{get, "/cpe/plans/:id", "One plan.", nil, nil, subscriber.Plan{}},
	{put, "/cpe/plans/:id", "Replace a plan.", nil, nil, subscriber.Plan{}},
	{get, "/cpe/subscribers", "Subscribers, keyset-paged.", []string{"q", "status", "limit", "after"}, nil, subscriber.Page{}},
	{post, "/cpe/subscribers", "Create a subscriber with their PPPoE credentials.", nil, created, subscriber.Subscriber{}},
	{get, "/cpe/subscribers/:id", "One subscriber (never the PPPoE password).", nil, nil, subscriber.Subscriber{}},
	{put, "/cpe/subscribers/:id", "Replace a subscriber.", nil, nil, subscriber.Subscriber{}},
	{post, "/cpe/subscribers/:id/suspend", "Suspend a subscriber.", nil, nil, subscriber.Subscriber{}},
	{post, "/cpe/subscribers/:id/activate", "Activate a subscriber.", nil, nil, subscriber.Subscriber{}},
	{get, "/cpe/faults", "GenieACS faults, newest first.", []string{"status", "code", "model", "device", "limit", "after"}, nil, fault.Page{}},
	{get, "/cpe/faults/:id", "One fault.", nil, nil, fault.Fault{}},
	{post, "/cpe/faults/:id/clear", "Clear a fault (deleted in GenieACS).", nil, nil, fault.Fault{}},
	{get, "/cpe/integration", "The spec's troubleshooting checks, run now, each with what it found and what to fix (the operator organization's owners and admins).", nil, nil, integration.Report{}},
	{get, "/cpe/integration/device", "One device's troubleshooting checklist, run now (the organization's own devices; the operator's: any, GenieACS-only ones too).", []string{"device"}, nil, integration.Checklist{}},
	{get, "/cpe/sync/runs", "The latest device sync passes.", nil, nil, list[devsync.Run]{}},
	{get, "/cpe/firmware", "The firmware image library.", nil, nil, list[firmware.Listed]{}},
	{post, "/cpe/firmware", "Upload an image (multipart/form-data, streamed).", nil, created, firmware.Image{}},
	{post, "/cpe/firmware/upload", "Upload an image in base64 JSON.", nil, created, firmware.Image{}},
	{post, "/cpe/firmware/deploy", "Start a firmware rollout (200 for a dry run).", nil, []int{http.StatusAccepted, http.StatusOK}, firmware.DeployResult{}},
	{get, "/cpe/firmware/deployments", "Firmware rollouts.", nil, nil, list[firmware.Deployment]{}},
	{get, "/cpe/firmware/deployments/:id", "One rollout with its counts.", nil, nil, firmware.Deployment{}},
	{post, "/cpe/firmware/deployments/:id/pause", "Pause a rollout.", nil, nil, firmware.Deployment{}},
	{post, "/cpe/firmware/deployments/:id/resume", "Resume a rollout.", nil, nil, firmware.Deployment{}},
	{post, "/cpe/firmware/deployments/:id/cancel", "Cancel a rollout.", nil, nil, firmware.Deployment{}},
	{get, "/cpe/firmware/:id", "One firmware image.", nil, nil, firmware.Image{}},
	{del, "/cpe/firmware/:id", "Delete an image from GenieACS and the library.", nil, noBody, nil},
	{get, "/cpe/provisions", "The organization's provision scripts.", nil, nil, list[orgprovision.Provision]{}},
	{get, "/cpe/provisions/:name", "One provision with its versions.", []string{"version"}, nil, nil},
	{put, "/cpe/provisions/:name", "Save a provision script (checked first).", nil, nil, orgprovision.Provision{}},
	{del, "/cpe/provisions/:name", "Delete a provision and its preset.", nil, noBody, nil},
	{post, "/cpe/provisions/:name/revert", "Save an earlier version as the next one.", nil, nil, orgprovision.Provision{}},
	{put, "/cpe/provisions/:name/binding", "Bind a provision to events (a preset).", nil, nil, orgprovision.Provision{}},
	{post, "/cpe/provisions/:name/try", "Run a provision once on one device.", nil, nil, orgprovision.TryResult{}},
	{get, "/cpe/openapi.json", "This document.", nil, nil, nil},
	{post, "/internal/cpe/identify", "GenieACS's bootstrap reports a device and gets its desired state (the internal key, not an API key).", nil, nil, cpe.IdentifyAnswer{}},
}

// requests are the JSON bodies operations take, by "METHOD path" (the
// router's pattern): their Go types, as the handlers decode them.
var requests = map[string]any{
	"POST /cpe/devices/:id/wifi":              action.WiFiInput{},
	"POST /cpe/devices/:id/upload-test":       action.UploadTestInput{},
	"POST /cpe/devices/:id/ping":              action.PingInput{},
	"POST /cpe/devices/:id/traceroute":        action.TracerouteInput{},
	"POST /cpe/devices/:id/wifi-channel":      action.ChannelInput{},
	"POST /cpe/devices/bulk":                  action.BulkInput{},
	"POST /cpe/api-keys":                      apikey.Input{},
	"POST /cpe/devices":                       cpe.InventoryInput{},
	"POST /cpe/devices/:id/assign-subscriber": cpe.AssignInput{},
	"POST /cpe/firmware/deploy":               firmware.DeployInput{},
	"POST /cpe/plans":                         subscriber.PlanInput{},
	"PUT /cpe/plans/:id":                      subscriber.PlanInput{},
	"PUT /cpe/provisions/:name/binding":       orgprovision.Binding{},
	"POST /cpe/subscribers":                   subscriber.Input{},
	"PUT /cpe/subscribers/:id":                subscriber.Input{},
	"POST /cpe/users":                         user.Input{},
	"PATCH /cpe/users/:id":                    user.Change{},
	"POST /cpe/webhooks":                      outbox.EndpointInput{},
	"PUT /cpe/webhooks/:id":                   outbox.EndpointInput{},
	"POST /internal/cpe/identify":             cpe.IdentifyInput{},
	"POST /cpe/devices/:id/parameters":        action.ParameterInput{},
	"POST /cpe/devices/:id/speed-test":        action.SpeedTestInput{},
	"POST /cpe/devices/:id/refresh":           api.RefreshInput{},
	"POST /cpe/devices/:id/objects":           api.ObjectInput{},
	"PUT /cpe/devices/:id/pon-port":           api.PONPortInput{},
	"PUT /cpe/organization":                   api.OrganizationInput{},
	"PUT /cpe/provisions/:name":               api.ProvisionInput{},
	"POST /cpe/provisions/:name/revert":       api.RevertInput{},
	"POST /cpe/provisions/:name/try":          api.TryInput{},
	"POST /cpe/firmware/upload":               api.FirmwareJSON{},
}
