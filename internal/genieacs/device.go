package genieacs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Identity is a device's _deviceId.
type Identity struct {
	Manufacturer string `json:"_Manufacturer"`
	OUI          string `json:"_OUI"`
	ProductClass string `json:"_ProductClass"`
	SerialNumber string `json:"_SerialNumber"`
}

// Param is one parameter node's attributes. Value keeps its JSON type:
// string, float64 (xsd ints), bool, or nil when the node has no _value.
type Param struct {
	Value     any
	Type      string
	Timestamp time.Time
	Writable  *bool // unknown until GenieACS ran a GetParameterNames
	Object    bool
}

// Device is one device document, its parameter tree flattened to dotted
// paths ("InternetGatewayDevice.DeviceInfo.UpTime"). Object nodes are kept
// too (Object true, no value), so instances can be enumerated.
type Device struct {
	ID            string
	Identity      Identity
	Registered    time.Time
	LastInform    time.Time
	LastBoot      time.Time
	LastBootstrap time.Time
	Tags          []string
	HasTags       bool // _tags present (absent when the device never had tags)
	Params        map[string]Param
}

// String returns a parameter's value as text ("" when absent).
func (d *Device) String(path string) string {
	p, ok := d.Params[path]
	if !ok || p.Value == nil {
		return ""
	}
	switch v := p.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(p.Value)
}

// Root returns the data-model root the device's tree uses
// ("InternetGatewayDevice", "Device", or "" if the projection had neither).
func (d *Device) Root() string {
	for _, r := range []string{"InternetGatewayDevice", "Device"} {
		if _, ok := d.Params[r]; ok {
			return r
		}
		for p := range d.Params {
			if strings.HasPrefix(p, r+".") {
				return r
			}
		}
	}
	return ""
}

// UnmarshalJSON decodes a GenieACS device document.
func (d *Device) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*d = Device{Params: map[string]Param{}}
	for k, v := range raw {
		var err error
		switch k {
		case "_id":
			err = json.Unmarshal(v, &d.ID)
		case "_deviceId":
			err = json.Unmarshal(v, &d.Identity)
		case "_registered":
			err = json.Unmarshal(v, &d.Registered)
		case "_lastInform":
			err = json.Unmarshal(v, &d.LastInform)
		case "_lastBoot":
			err = json.Unmarshal(v, &d.LastBoot)
		case "_lastBootstrap":
			err = json.Unmarshal(v, &d.LastBootstrap)
		case "_tags":
			d.HasTags = true
			err = json.Unmarshal(v, &d.Tags)
		case "_timestamp":
		default:
			if strings.HasPrefix(k, "_") {
				continue // attributes GenieACS may add later
			}
			err = flatten(k, v, d.Params)
		}
		if err != nil {
			return fmt.Errorf("field %s: %w", k, err)
		}
	}
	if d.ID == "" {
		return errors.New("document has no _id")
	}
	return nil
}

// flatten walks one parameter node into out.
func flatten(path string, b []byte, out map[string]Param) error {
	var node map[string]json.RawMessage
	if err := json.Unmarshal(b, &node); err != nil {
		return fmt.Errorf("%s: parameter node is not an object: %w", path, err)
	}
	var p Param
	for k, v := range node {
		var err error
		switch k {
		case "_value":
			err = json.Unmarshal(v, &p.Value)
		case "_type":
			err = json.Unmarshal(v, &p.Type)
		case "_timestamp":
			err = json.Unmarshal(v, &p.Timestamp)
		case "_writable":
			var w bool
			err = json.Unmarshal(v, &w)
			p.Writable = &w
		case "_object":
			err = json.Unmarshal(v, &p.Object)
		default:
			if strings.HasPrefix(k, "_") {
				continue
			}
			err = flatten(path+"."+k, v, out)
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", path, k, err)
		}
	}
	out[path] = p
	return nil
}

// Query selects devices. Filter is a GenieACS (Mongo-style) query; keys
// whose last segment does not start with '_' get "._value" appended by
// GenieACS. Dates compare as ISO strings — an epoch number never matches.
type Query struct {
	Filter     map[string]any
	Projection []string
	Sort       map[string]int // e.g. {"_id": 1}; ordered by key name if several
	Skip       int
	Limit      int
}

func (q Query) values() (url.Values, error) {
	v := url.Values{}
	if len(q.Filter) > 0 {
		b, err := json.Marshal(q.Filter)
		if err != nil {
			return nil, fmt.Errorf("encode query: %w", err)
		}
		v.Set("query", string(b))
	}
	if len(q.Projection) > 0 {
		v.Set("projection", strings.Join(q.Projection, ","))
	}
	if len(q.Sort) > 0 {
		b, err := json.Marshal(q.Sort)
		if err != nil {
			return nil, err
		}
		v.Set("sort", string(b))
	}
	if q.Skip > 0 {
		v.Set("skip", strconv.Itoa(q.Skip))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v, nil
}

// Time formats t as GenieACS compares dates (ISO-8601, milliseconds, Z).
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// SearchDevices streams the devices matching q to fn, one decoded document
// at a time, and returns the total GenieACS counted (ignoring skip/limit).
func (c *Client) SearchDevices(ctx context.Context, q Query, fn func(*Device) error) (int, error) {
	return search(ctx, c, "devices", "device", q, func(d Device) error { return fn(&d) })
}

// search streams a collection query's documents (q's sort, skip and limit
// honoured) to fn, decoded as T, and returns the total GenieACS counted
// (ignoring skip and limit). A document that does not decode stops the
// stream with a *DecodeError.
func search[T any](ctx context.Context, c *Client, collection, what string, q Query, fn func(T) error) (int, error) {
	vals, err := q.values()
	if err != nil {
		return 0, err
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/" + collection + "/", query: vals})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total, _ := strconv.Atoi(resp.Header.Get("total"))
	err = streamArray(resp.Body, collection, func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return &DecodeError{What: what, Err: err}
		}
		return fn(v)
	})
	return total, err
}

// streamArray decodes a JSON array element by element.
func streamArray(r io.Reader, what string, fn func(json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return &DecodeError{What: what, Err: fmt.Errorf("reading start of array: %w", err)}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &DecodeError{What: what, Err: fmt.Errorf("expected a JSON array, got %v", tok)}
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return &DecodeError{What: what, Err: err}
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return &DecodeError{What: what, Err: fmt.Errorf("reading end of array: %w", err)}
	}
	return nil
}

// EachDevice pages through every device matching filter in _id order
// (keyset: {"_id":{"$gt":last}}), pageSize at a time, streaming each page.
// It never uses skip, which degrades with depth in GenieACS.
func (c *Client) EachDevice(ctx context.Context, filter map[string]any, projection []string, pageSize int, fn func(*Device) error) error {
	return c.EachDeviceDoc(ctx, filter, projection, pageSize, func(d *Device, err error) error {
		if err != nil {
			return err
		}
		return fn(d)
	})
}

// EachDeviceDoc is EachDevice that survives bad documents: fn gets each
// device, or the decode error of a document it could not read (d nil), and
// paging goes on past it. Only a document without an _id stops the walk
// (the keyset cannot pass it).
func (c *Client) EachDeviceDoc(ctx context.Context, filter map[string]any, projection []string, pageSize int, fn func(d *Device, err error) error) error {
	if pageSize <= 0 {
		pageSize = 1000
	}
	last := ""
	for {
		f := map[string]any{}
		for k, v := range filter {
			f[k] = v
		}
		if last != "" {
			if _, has := f["_id"]; has {
				f = map[string]any{"$and": []any{filter, map[string]any{"_id": map[string]any{"$gt": last}}}}
			} else {
				f["_id"] = map[string]any{"$gt": last}
			}
		}
		vals, err := Query{Filter: f, Projection: projection, Sort: map[string]int{"_id": 1}, Limit: pageSize}.values()
		if err != nil {
			return err
		}
		resp, err := c.do(ctx, request{method: http.MethodGet, path: "/devices/", query: vals})
		if err != nil {
			return err
		}
		n := 0
		err = streamArray(resp.Body, "devices", func(raw json.RawMessage) error {
			n++
			var d Device
			if derr := json.Unmarshal(raw, &d); derr != nil {
				var id struct {
					ID string `json:"_id"`
				}
				if json.Unmarshal(raw, &id) != nil || id.ID == "" {
					return &DecodeError{What: "device", Err: fmt.Errorf("a document without an _id: %w", derr)}
				}
				last = id.ID
				return fn(nil, &DecodeError{What: "device " + id.ID, Err: derr})
			}
			last = d.ID
			return fn(&d, nil)
		})
		resp.Body.Close()
		if err != nil {
			return err
		}
		if n < pageSize {
			return nil
		}
	}
}

// CountDevices counts matching devices with a HEAD request (GenieACS sends
// only the total header).
func (c *Client) CountDevices(ctx context.Context, filter map[string]any) (int, error) {
	vals, err := Query{Filter: filter}.values()
	if err != nil {
		return 0, err
	}
	resp, err := c.do(ctx, request{method: http.MethodHead, path: "/devices/", query: vals})
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	n, err := strconv.Atoi(resp.Header.Get("total"))
	if err != nil {
		return 0, &DecodeError{What: "total header", Err: err}
	}
	return n, nil
}

// GetDevice fetches one device (a query on _id; GenieACS has no
// GET /devices/<id>). A nil projection returns the whole document.
func (c *Client) GetDevice(ctx context.Context, id string, projection []string) (*Device, error) {
	var found *Device
	_, err := c.SearchDevices(ctx, Query{Filter: map[string]any{"_id": id}, Projection: projection, Limit: 1}, func(d *Device) error {
		found = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrDeviceNotFound
	}
	return found, nil
}

// DeleteDevice removes a device from GenieACS (it re-registers at its next
// inform).
func (c *Client) DeleteDevice(ctx context.Context, id string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: devicePath(id)})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// AddTag tags a device ($addToSet: adding twice is fine).
func (c *Client) AddTag(ctx context.Context, id, tag string) error {
	return c.tag(ctx, http.MethodPost, id, tag)
}

// RemoveTag untags a device (removing a missing tag is fine).
func (c *Client) RemoveTag(ctx context.Context, id, tag string) error {
	return c.tag(ctx, http.MethodDelete, id, tag)
}

func (c *Client) tag(ctx context.Context, method, id, tag string) error {
	if !ValidTag(tag) {
		return fmt.Errorf("tag %q: only A-Z, a-z, 0-9, '_', ':' and '-' are allowed", tag)
	}
	resp, err := c.do(ctx, request{method: method, path: devicePath(id) + "/tags/" + pathEscape(tag)})
	if err != nil {
		return notFoundAs(err, ErrDeviceNotFound)
	}
	return resp.Body.Close()
}

// notFoundAs maps a 404 to target.
func notFoundAs(err, target error) error {
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		return fmt.Errorf("%w: %s", target, strings.TrimSpace(he.Body))
	}
	return err
}

// readAll reads a small answer body.
func readAll(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(r, 8<<20))
	return buf.Bytes(), err
}
