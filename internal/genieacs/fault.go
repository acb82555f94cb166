package genieacs

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Fault is a GenieACS fault: _id "<deviceId>:<channel>", channel "default",
// a preset's channel or "task_<taskId>".
type Fault struct {
	ID        string          `json:"_id"`
	Device    string          `json:"device"`
	Channel   string          `json:"channel"`
	Timestamp time.Time       `json:"timestamp"`
	Code      string          `json:"code"` // cwmp.9005, script.Error, ext.Error, timeout, ...
	Message   string          `json:"message"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	Retries   int             `json:"retries"`
	// Provisions is the JSON text GenieACS stores ("[[\"reboot\"]]").
	Provisions string `json:"provisions"`
}

// TaskID returns the task id of a task fault ("" for other channels).
func (f Fault) TaskID() string {
	if len(f.Channel) > 5 && f.Channel[:5] == "task_" {
		return f.Channel[5:]
	}
	return ""
}

// Faults lists faults matching filter (nil: all).
func (c *Client) Faults(ctx context.Context, filter map[string]any) ([]Fault, error) {
	return listOf[Fault](ctx, c, "faults", "fault", filter)
}

// EachFault streams the faults matching filter (nil: all) to fn, one
// document at a time. A document that does not decode as a Fault (a field of
// the wrong type) reaches fn with its raw text and a *DecodeError, so the
// caller can skip it and go on; an error fn returns stops the stream.
func (c *Client) EachFault(ctx context.Context, filter map[string]any, fn func(f Fault, raw json.RawMessage, err error) error) error {
	return c.list(ctx, "faults", filter, func(raw json.RawMessage) error {
		var f Fault
		if err := json.Unmarshal(raw, &f); err != nil {
			return fn(Fault{}, raw, &DecodeError{What: "fault", Err: err})
		}
		return fn(f, raw, nil)
	})
}

// DeleteFault clears a fault (200 even when it does not exist). Clearing a
// task fault also deletes the task.
func (c *Client) DeleteFault(ctx context.Context, id string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/faults/" + pathEscape(id)})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// SearchFaults streams the faults matching q (sort, skip and limit
// honoured) to fn and returns the total GenieACS counted (ignoring skip
// and limit). A document that does not decode stops the stream with a
// *DecodeError.
func (c *Client) SearchFaults(ctx context.Context, q Query, fn func(Fault) error) (int, error) {
	return search(ctx, c, "faults", "fault", q, fn)
}
