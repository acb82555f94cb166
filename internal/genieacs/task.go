package genieacs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Task names GenieACS accepts.
const (
	TaskGetParameterValues = "getParameterValues"
	TaskSetParameterValues = "setParameterValues"
	TaskRefreshObject      = "refreshObject"
	TaskAddObject          = "addObject"
	TaskDeleteObject       = "deleteObject"
	TaskReboot             = "reboot"
	TaskFactoryReset       = "factoryReset"
	TaskDownload           = "download"
)

// ParameterValue is one [path, value, type] triple of setParameterValues.
// Value is a string, number or bool; Type (e.g. "xsd:boolean") is optional.
type ParameterValue struct {
	Path  string
	Value any
	Type  string
}

// MarshalJSON encodes the triple as GenieACS expects.
func (p ParameterValue) MarshalJSON() ([]byte, error) {
	if p.Type == "" {
		return json.Marshal([]any{p.Path, p.Value})
	}
	return json.Marshal([]any{p.Path, p.Value, p.Type})
}

// UnmarshalJSON decodes [path, value, type?].
func (p *ParameterValue) UnmarshalJSON(b []byte) error {
	var parts []any
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if len(parts) < 2 {
		return fmt.Errorf("parameter value %s: want [path, value, type?]", b)
	}
	path, ok := parts[0].(string)
	if !ok {
		return fmt.Errorf("parameter value %s: path is not a string", b)
	}
	p.Path, p.Value = path, parts[1]
	if len(parts) > 2 {
		p.Type, _ = parts[2].(string)
	}
	return nil
}

// Task is a task as sent and as GenieACS stores it (ID, Device, Timestamp
// and Expiry are set by GenieACS).
type Task struct {
	ID              string           `json:"_id,omitempty"`
	Name            string           `json:"name"`
	Device          string           `json:"device,omitempty"`
	Timestamp       *time.Time       `json:"timestamp,omitempty"`
	ParameterNames  []string         `json:"parameterNames,omitempty"`
	ParameterValues []ParameterValue `json:"parameterValues,omitempty"`
	ObjectName      *string          `json:"objectName,omitempty"`
	File            string           `json:"file,omitempty"`
	FileType        string           `json:"fileType,omitempty"`
	FileName        string           `json:"fileName,omitempty"`
	TargetFileName  string           `json:"targetFileName,omitempty"`
	// UniqueKey replaces an earlier task with the same key on the device.
	UniqueKey string `json:"uniqueKey,omitempty"`
	// Expiry is when GenieACS drops the task if it has not run. Send it
	// with ExpireIn; GenieACS echoes the absolute time.
	Expiry *time.Time `json:"-"`
	// ExpireIn (whole seconds) bounds the task's life when sending.
	ExpireIn time.Duration `json:"-"`
}

// MarshalJSON sends expiry as seconds, the form GenieACS reads.
func (t Task) MarshalJSON() ([]byte, error) {
	type plain Task
	out := struct {
		plain
		Expiry int64 `json:"expiry,omitempty"`
	}{plain: plain(t)}
	if t.ExpireIn > 0 {
		out.Expiry = int64(t.ExpireIn.Round(time.Second) / time.Second)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the stored task (expiry as an ISO time).
func (t *Task) UnmarshalJSON(b []byte) error {
	type plain Task
	var in struct {
		plain
		Expiry *time.Time `json:"expiry"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*t = Task(in.plain)
	t.Expiry = in.Expiry
	return nil
}

// Constructors for every task kind.

// GetParameterValues reads values from the device.
func GetParameterValues(names ...string) Task {
	return Task{Name: TaskGetParameterValues, ParameterNames: names}
}

// SetParameterValues writes values on the device.
func SetParameterValues(values ...ParameterValue) Task {
	return Task{Name: TaskSetParameterValues, ParameterValues: values}
}

// RefreshObject re-reads a subtree ("" = everything).
func RefreshObject(object string) Task { return Task{Name: TaskRefreshObject, ObjectName: &object} }

// AddObject adds an instance under object (e.g. "...PortMapping").
func AddObject(object string, values ...ParameterValue) Task {
	return Task{Name: TaskAddObject, ObjectName: &object, ParameterValues: values}
}

// DeleteObject deletes an instance (no trailing '.').
func DeleteObject(object string) Task { return Task{Name: TaskDeleteObject, ObjectName: &object} }

// Reboot reboots the device.
func Reboot() Task { return Task{Name: TaskReboot} }

// FactoryReset resets the device to factory defaults.
func FactoryReset() Task { return Task{Name: TaskFactoryReset} }

// Download makes the device download a file uploaded to GenieACS.
func Download(file string) Task { return Task{Name: TaskDownload, File: file} }

var objectIDRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

// Validate mirrors GenieACS's sanitizeTask: a task it would choke on (and
// answer by dropping the connection) is refused here.
func (t Task) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidTask, t.Name, fmt.Sprintf(format, args...))
	}
	checkValues := func(required bool) error {
		if required && len(t.ParameterValues) == 0 {
			return bad("parameterValues must not be empty")
		}
		for i, pv := range t.ParameterValues {
			if pv.Path == "" {
				return bad("parameterValues[%d] has an empty path", i)
			}
			switch pv.Value.(type) {
			case string, bool, int, int64, float64, json.Number:
			default:
				return bad("parameterValues[%d] (%s) must be a string, number or boolean, not %T", i, pv.Path, pv.Value)
			}
		}
		return nil
	}
	switch t.Name {
	case TaskGetParameterValues:
		if len(t.ParameterNames) == 0 {
			return bad("parameterNames must not be empty")
		}
		for i, n := range t.ParameterNames {
			if n == "" {
				return bad("parameterNames[%d] is empty", i)
			}
		}
	case TaskSetParameterValues:
		return checkValues(true)
	case TaskRefreshObject:
		if t.ObjectName == nil {
			return bad("objectName is required (\"\" refreshes everything)")
		}
	case TaskAddObject:
		if t.ObjectName == nil || *t.ObjectName == "" {
			return bad("objectName is required")
		}
		return checkValues(false)
	case TaskDeleteObject:
		if t.ObjectName == nil || *t.ObjectName == "" {
			return bad("objectName is required")
		}
		if strings.HasSuffix(*t.ObjectName, ".") {
			return bad("objectName must not end with '.'")
		}
	case TaskDownload:
		if t.File == "" && (t.FileType == "" || t.FileName == "") {
			return bad("file (or fileType and fileName) is required")
		}
	case TaskReboot, TaskFactoryReset:
	default:
		return fmt.Errorf("%w: unknown task name %q", ErrInvalidTask, t.Name)
	}
	return nil
}

// Outcome is what GenieACS says happened to a task.
type Outcome string

// Outcomes, from the status code and reason phrase.
const (
	// Done: 200 — executed in a session without fault (NOT proof of a
	// write: GenieACS answers 200 for paths the device lacks).
	OutcomeDone Outcome = "done"
	// Queued: 202 Accepted — stored, runs at the next inform.
	OutcomeQueued Outcome = "queued"
	// Faulted: 202 Task faulted — a fault <device>:task_<id> exists.
	OutcomeFaulted Outcome = "faulted"
	// Offline: 202 Device is offline — stored, runs when it informs.
	OutcomeOffline Outcome = "offline"
	// NotProcessed: 202 Task queued but not processed — the device did not
	// start a session in time (or was busy); the task stays queued.
	OutcomeNotProcessed Outcome = "not_processed"
	// ConnectionRequestError: 202 Connection request error: ... — stored.
	OutcomeConnectionRequestError Outcome = "connection_request_error"
)

// TaskResult is the answer to CreateTask.
type TaskResult struct {
	Outcome Outcome
	Status  int
	Reason  string // the reason phrase as GenieACS sent it
	Task    Task   // the stored task, with its ID
}

// Waiting says in plain words why a stored task waits for the device's
// next session. GenieACS's "Device is offline" means only that the
// connection request got no session just now: the device may well be
// online by its informs (FyberPay's status), so it is not repeated as is.
func (r TaskResult) Waiting() string {
	switch r.Outcome {
	case OutcomeOffline:
		return "GenieACS could not reach the device just now (no session after its connection request)"
	case OutcomeConnectionRequestError:
		return "GenieACS could not wake the device (" + strings.TrimPrefix(r.Reason, "Connection request error: ") + ")"
	case OutcomeNotProcessed:
		return "the device did not start a session in time"
	}
	return r.Reason
}

// TaskOptions say whether to wake the device now.
type TaskOptions struct {
	// ConnectionRequest asks GenieACS to contact the device now and wait
	// for the session.
	ConnectionRequest bool
	// Timeout bounds how long GenieACS waits for the device to start a
	// session (default: its own 4 s device-online threshold).
	Timeout time.Duration
}

// CreateTask validates and queues a task on a device and reports the
// outcome. An unknown device is ErrDeviceNotFound.
func (c *Client) CreateTask(ctx context.Context, deviceID string, t Task, opts TaskOptions) (TaskResult, error) {
	if err := t.Validate(); err != nil {
		return TaskResult{}, err
	}
	body, err := json.Marshal(t)
	if err != nil {
		return TaskResult{}, fmt.Errorf("encode task: %w", err)
	}
	q := url.Values{}
	timeout := time.Duration(0)
	if opts.ConnectionRequest {
		q.Set("connection_request", "")
		// GenieACS waits up to the device-online threshold for a session to
		// start and up to 120 s for it to end.
		timeout = 130 * time.Second
		if opts.Timeout > 0 {
			q.Set("timeout", strconv.FormatInt(opts.Timeout.Milliseconds(), 10))
			timeout = opts.Timeout + 125*time.Second
		}
	}
	resp, err := c.do(ctx, request{
		method: http.MethodPost, path: devicePath(deviceID) + "/tasks", query: q,
		body: bytes.NewReader(body), header: http.Header{"Content-Type": {"application/json"}}, timeout: timeout,
		ok: []int{http.StatusOK, http.StatusAccepted},
	})
	if err != nil {
		return TaskResult{}, notFoundAs(err, ErrDeviceNotFound)
	}
	defer resp.Body.Close()
	res := TaskResult{Status: resp.StatusCode, Reason: reason(resp)}
	raw, err := readAll(resp.Body)
	if err != nil {
		return TaskResult{}, &DecodeError{What: "task answer", Err: err}
	}
	if err := json.Unmarshal(raw, &res.Task); err != nil {
		return TaskResult{}, &DecodeError{What: "task answer", Err: err}
	}
	res.Outcome = outcomeOf(resp.StatusCode, res.Reason)
	return res, nil
}

func outcomeOf(status int, reason string) Outcome {
	if status == http.StatusOK {
		return OutcomeDone
	}
	switch {
	case reason == "Task faulted":
		return OutcomeFaulted
	case reason == "Device is offline":
		return OutcomeOffline
	case reason == "Task queued but not processed":
		return OutcomeNotProcessed
	case strings.HasPrefix(reason, "Connection request error"):
		return OutcomeConnectionRequestError
	}
	return OutcomeQueued
}

// WakeUp sends only a connection request (no task). It reports whether the
// device answered it, and GenieACS's reason when not (504).
func (c *Client) WakeUp(ctx context.Context, deviceID string) (bool, string, error) {
	resp, err := c.do(ctx, request{method: http.MethodPost, path: devicePath(deviceID) + "/tasks",
		query: url.Values{"connection_request": {""}}, ok: []int{http.StatusOK, http.StatusGatewayTimeout}})
	if err != nil {
		return false, "", notFoundAs(err, ErrDeviceNotFound)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return true, "", nil
	}
	return false, reason(resp), nil
}

// Tasks lists stored tasks (pending or faulted; completed tasks are gone).
func (c *Client) Tasks(ctx context.Context, filter map[string]any) ([]Task, error) {
	return listOf[Task](ctx, c, "tasks", "task", filter)
}

// DeleteTask deletes a task and its fault. ErrNotFound if it is gone.
func (c *Client) DeleteTask(ctx context.Context, id string) error {
	if !objectIDRE.MatchString(id) {
		return fmt.Errorf("%w: task id %q is not a 24-hex ObjectId", ErrInvalidTask, id) // GenieACS would drop the connection
	}
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/tasks/" + id})
	if err != nil {
		return notFoundAs(err, ErrNotFound)
	}
	return resp.Body.Close()
}

// RetryTask clears a faulted task's fault so it runs at the next session.
// GenieACS drops the connection for an unknown task, so existence is
// checked first.
func (c *Client) RetryTask(ctx context.Context, id string) error {
	if !objectIDRE.MatchString(id) {
		return fmt.Errorf("%w: task id %q is not a 24-hex ObjectId", ErrInvalidTask, id)
	}
	ts, err := c.Tasks(ctx, map[string]any{"_id": id})
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		return fmt.Errorf("%w: task %s", ErrNotFound, id)
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/tasks/" + id + "/retry"})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// listOf decodes every document of a collection query into a T.
func listOf[T any](ctx context.Context, c *Client, collection, what string, filter map[string]any) ([]T, error) {
	var out []T
	err := c.list(ctx, collection, filter, func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return &DecodeError{What: what, Err: err}
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// oneByID returns the document with _id id, if any.
func oneByID[T any](ctx context.Context, c *Client, collection, what, id string) (T, bool, error) {
	all, err := listOf[T](ctx, c, collection, what, map[string]any{"_id": id})
	if err != nil || len(all) == 0 {
		var zero T
		return zero, false, err
	}
	return all[0], true, nil
}

// list streams a collection query's documents to fn.
func (c *Client) list(ctx context.Context, collection string, filter map[string]any, fn func(json.RawMessage) error) error {
	vals, err := Query{Filter: filter}.values()
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/" + collection + "/", query: vals})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return streamArray(resp.Body, collection, fn)
}

// IsRetryable reports whether err is worth retrying later (GenieACS down,
// breaker open, timeouts) rather than a caller mistake.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, ErrInvalidTask) || errors.Is(err, ErrDeviceNotFound) || errors.Is(err, ErrNotFound) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests
	}
	var de *DecodeError
	return !errors.As(err, &de)
}
