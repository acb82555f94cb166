package genieacs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// captureDir holds real GenieACS 1.2.16 exchanges (a copy of
// ../shared/genieacs-captures; see its README).
const captureDir = "../acssim/testdata/captures"

// capture is one recorded exchange.
type capture struct {
	name       string
	method     string
	target     string // path + query as requested
	statusLine string // "HTTP/1.1 202 Task faulted"
	status     int
	header     http.Header
	body       string
	dropped    bool // curl: (52) Empty reply from server
}

func loadCapture(t testing.TB, name string) capture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(captureDir, name))
	require.NoError(t, err)
	c := capture{name: name, header: http.Header{}}
	text := string(raw)
	reqPart, rest, ok := strings.Cut(text, "### RESPONSE")
	require.True(t, ok, "%s: no RESPONSE section", name)
	reqLines := strings.Split(strings.TrimSpace(strings.TrimPrefix(reqPart, "### REQUEST")), "\n")
	fields := strings.Fields(reqLines[0])
	c.method = fields[0]
	u, err := url.Parse(fields[1])
	require.NoError(t, err)
	c.target = u.RequestURI()

	resp, _, _ := strings.Cut(strings.ReplaceAll(rest, "\r\n", "\n"), "\n### TIMING")
	resp = strings.TrimPrefix(resp, "\n")
	if strings.HasPrefix(resp, "curl: (52)") {
		c.dropped = true
		return c
	}
	head, body, _ := strings.Cut(resp, "\n\n")
	lines := strings.Split(head, "\n")
	c.statusLine = strings.TrimSpace(lines[0])
	parts := strings.SplitN(c.statusLine, " ", 3)
	c.status, err = strconv.Atoi(parts[1])
	require.NoError(t, err)
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if ok {
			c.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	c.body = strings.TrimSuffix(body, "\n")
	return c
}

// replay serves recorded answers over real HTTP, byte for byte where it
// matters (status line with its reason phrase, headers, body). Requests
// must match the recorded method and target.
type replay struct {
	t        testing.TB
	captures []capture
	ln       net.Listener
	URL      *url.URL
}

func newReplay(t testing.TB, names ...string) *replay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &replay{t: t, ln: ln}
	for _, n := range names {
		r.captures = append(r.captures, loadCapture(t, n))
	}
	r.URL, _ = url.Parse("http://" + ln.Addr().String())
	go r.serve()
	t.Cleanup(func() { ln.Close() })
	return r
}

func (r *replay) serve() {
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			br := bufio.NewReader(conn)
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				_, _ = bufio.NewReader(req.Body).WriteTo(new(bytes.Buffer))
				c, ok := r.match(req)
				if !ok {
					fmt.Fprintf(conn, "HTTP/1.1 599 No recorded answer for %s %s\r\nContent-Length: 0\r\n\r\n", req.Method, req.URL.RequestURI())
					continue
				}
				if c.dropped {
					return // close without answering, as the real NBI does
				}
				var b bytes.Buffer
				fmt.Fprintf(&b, "%s\r\n", c.statusLine)
				for k, vs := range c.header {
					if k == "Transfer-Encoding" || k == "Content-Length" || k == "Connection" || k == "Keep-Alive" {
						continue
					}
					for _, v := range vs {
						fmt.Fprintf(&b, "%s: %s\r\n", k, v)
					}
				}
				body := c.body
				if req.Method == http.MethodHead {
					body = ""
				}
				fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
				if _, err := conn.Write(b.Bytes()); err != nil {
					return
				}
			}
		}()
	}
}

func (r *replay) match(req *http.Request) (capture, bool) {
	for _, c := range r.captures {
		if c.method == req.Method && sameTarget(c.target, req.URL.RequestURI()) {
			return c, true
		}
	}
	return capture{}, false
}

// sameTarget compares paths and query parameters semantically (our
// encoding of JSON and lists may differ from curl's byte for byte).
func sameTarget(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil || ua.EscapedPath() != ub.EscapedPath() && ua.Path != ub.Path {
		return false
	}
	qa, qb := ua.Query(), ub.Query()
	for _, q := range []url.Values{qa, qb} {
		if q.Get("query") == "{}" {
			q.Del("query") // an empty query is no query
		}
	}
	if len(qa) != len(qb) {
		return false
	}
	for k := range qa {
		va, vb := qa.Get(k), qb.Get(k)
		if va == vb {
			continue
		}
		var ja, jb any
		if json.Unmarshal([]byte(va), &ja) != nil || json.Unmarshal([]byte(vb), &jb) != nil || !jsonEqual(ja, jb) {
			return false
		}
	}
	return true
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func (r *replay) client(t testing.TB) *Client {
	c, err := New(Config{NBIURL: r.URL, Timeout: 5 * time.Second})
	require.NoError(t, err)
	return c
}

// docs splits a recorded array body into its documents.
func docs(t testing.TB, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	return out
}

// rebuild turns a decoded Device back into a GenieACS document.
func rebuild(d *Device) map[string]any {
	doc := map[string]any{"_id": d.ID}
	ts := func(t time.Time) string { return Time(t) }
	if d.Identity != (Identity{}) {
		doc["_deviceId"] = map[string]any{"_Manufacturer": d.Identity.Manufacturer, "_OUI": d.Identity.OUI,
			"_ProductClass": d.Identity.ProductClass, "_SerialNumber": d.Identity.SerialNumber}
	}
	for k, t := range map[string]time.Time{"_registered": d.Registered, "_lastInform": d.LastInform, "_lastBoot": d.LastBoot, "_lastBootstrap": d.LastBootstrap} {
		if !t.IsZero() {
			doc[k] = ts(t)
		}
	}
	if d.HasTags {
		tags := make([]any, len(d.Tags))
		for i, tg := range d.Tags {
			tags[i] = tg
		}
		doc["_tags"] = tags
	}
	paths := make([]string, 0, len(d.Params))
	for p := range d.Params {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		param := d.Params[p]
		node := doc
		for _, seg := range strings.Split(p, ".") {
			next, ok := node[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[seg] = next
			}
			node = next
		}
		if param.Object {
			node["_object"] = true
		}
		if param.Type != "" {
			node["_type"] = param.Type
		}
		if param.Value != nil {
			node["_value"] = param.Value
		}
		if !param.Timestamp.IsZero() {
			node["_timestamp"] = ts(param.Timestamp)
		}
		if param.Writable != nil {
			node["_writable"] = *param.Writable
		}
	}
	return doc
}

// normalise drops what the decoder deliberately does not keep: "_object":
// false on leaves and the root's own _timestamp.
func normalise(v any, root bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		if k == "_object" && x == false {
			continue
		}
		if root && k == "_timestamp" {
			continue
		}
		out[k] = normalise(x, false)
	}
	return out
}

func TestDecodeDeviceCaptures(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"01-devices-list-projection.txt", "02-devices-query-by-id-projection.txt", "03-device-full-doc-after-first-inform.txt",
		"04-device-full-doc-after-refreshObject.txt", "05-devices-lastInform-gt-iso.txt", "05c-devices-lastInform-gt-epoch-ms.txt",
		"06b-devices-sort-by-param-value.txt", "07e-devices-query-tags-in.txt", "13b-device4-after-spv.txt",
		"19-device4-after-download.txt", "19b-device4-Downloads-after-TransferComplete.txt", "24-devices-query-by-tag.txt",
		"28-devices-after-tag-delete.txt", "47-device3-after-ext-provision.txt", "75-device4-boot-timestamps.txt",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newReplay(t, name)
			c := r.captures[0]
			u, _ := url.Parse(c.target)
			q := Query{}
			if v := u.Query().Get("query"); v != "" {
				require.NoError(t, json.Unmarshal([]byte(v), &q.Filter))
			}
			if v := u.Query().Get("projection"); v != "" {
				q.Projection = strings.Split(v, ",")
			}
			if v := u.Query().Get("sort"); v != "" {
				require.NoError(t, json.Unmarshal([]byte(v), &q.Sort))
			}
			q.Skip, _ = strconv.Atoi(u.Query().Get("skip"))
			q.Limit, _ = strconv.Atoi(u.Query().Get("limit"))

			var got []*Device
			total, err := r.client(t).SearchDevices(context.Background(), q, func(d *Device) error { got = append(got, d); return nil })
			require.NoError(t, err)
			want := docs(t, c.body)
			require.Equal(t, c.header.Get("total"), strconv.Itoa(total))
			require.Len(t, got, len(want))
			for i := range want {
				require.Equal(t, normalise(want[i], true), normalise(roundTrip(t, rebuild(got[i])), true), "document %d loses nothing", i)
			}
		})
	}
}

// roundTrip passes v through JSON so numbers and maps compare alike.
func roundTrip(t testing.TB, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestDecodeCollectionCaptures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	check := func(t *testing.T, body string, decoded any, ignore ...string) {
		t.Helper()
		want := roundTrip(t, docs(t, body)).([]any)
		got := roundTrip(t, decoded).([]any)
		require.Len(t, got, len(want))
		for i := range want {
			w := want[i].(map[string]any)
			g := got[i].(map[string]any)
			for _, k := range ignore {
				delete(w, k)
				delete(g, k)
			}
			require.Equal(t, w, g, "document %d", i)
		}
	}
	t.Run("Tasks", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"101-tasks-query-by-device-pending.txt", "102-tasks-query-by-_id.txt", "109-tasks-after-uniqueKey.txt",
			"70-tasks-query-by-device.txt", "84-tasks-list-all.txt", "94-tasks-after-task-fault-delete.txt"} {
			r := newReplay(t, name)
			var filter map[string]any
			u, _ := url.Parse(r.captures[0].target)
			if v := u.Query().Get("query"); v != "" {
				require.NoError(t, json.Unmarshal([]byte(v), &filter))
			}
			tasks, err := r.client(t).Tasks(ctx, filter)
			require.NoError(t, err, name)
			out := make([]any, len(tasks))
			for i, tk := range tasks {
				m := roundTrip(t, tk).(map[string]any)
				if tk.Expiry != nil {
					m["expiry"] = Time(*tk.Expiry)
				}
				m["timestamp"] = Time(*tk.Timestamp)
				out[i] = m
			}
			check(t, r.captures[0].body, out)
		}
	})
	t.Run("Faults", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"60-faults-after-reboot.txt", "72-faults-after-retry-before-session.txt", "83-faults-list.txt",
			"89-faults-after-ext-errors.txt", "97-faults-list-after-deletes.txt", "133-faults-ext-timeout.txt"} {
			r := newReplay(t, name)
			var filter map[string]any
			u, _ := url.Parse(r.captures[0].target)
			if v := u.Query().Get("query"); v != "" {
				require.NoError(t, json.Unmarshal([]byte(v), &filter))
			}
			fs, err := r.client(t).Faults(ctx, filter)
			require.NoError(t, err, name)
			out := make([]any, len(fs))
			for i, f := range fs {
				m := roundTrip(t, f).(map[string]any)
				m["timestamp"] = Time(f.Timestamp)
				out[i] = m
			}
			check(t, r.captures[0].body, out)
			for _, f := range fs {
				if strings.HasPrefix(f.Channel, "task_") {
					require.Equal(t, f.Channel[5:], f.TaskID())
				}
			}
		}
	})
	t.Run("Files", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"51-files-list.txt", "52-files-query-by-filename.txt"} {
			r := newReplay(t, name)
			var filter map[string]any
			u, _ := url.Parse(r.captures[0].target)
			if v := u.Query().Get("query"); v != "" {
				require.NoError(t, json.Unmarshal([]byte(v), &filter))
			}
			fs, err := r.client(t).Files(ctx, filter)
			require.NoError(t, err)
			out := make([]any, len(fs))
			for i, f := range fs {
				m := roundTrip(t, f).(map[string]any)
				m["uploadDate"] = Time(f.UploadDate)
				out[i] = m
			}
			check(t, r.captures[0].body, out)
		}
	})
	t.Run("Presets", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "44-presets-list.txt")
		ps, err := r.client(t).Presets(ctx)
		require.NoError(t, err)
		check(t, r.captures[0].body, ps)
		r = newReplay(t, "45-preset-get-by-query.txt")
		p, ok, err := r.client(t).GetPreset(ctx, "fyber-identify")
		require.NoError(t, err)
		require.True(t, ok)
		check(t, r.captures[0].body, []Preset{p})
	})
	t.Run("Provisions", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "31-provision-get-by-query.txt")
		p, ok, err := r.client(t).GetProvision(ctx, "fyber-identify")
		require.NoError(t, err)
		require.True(t, ok)
		check(t, r.captures[0].body, []Provision{p})
		require.Contains(t, p.Script, "ext(")
	})
}

func TestCaptureAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("TaskOutcomesFromReasonPhrases", func(t *testing.T) {
		t.Parallel()
		for name, want := range map[string]Outcome{
			"11-task-getParameterValues-connreq.txt":    OutcomeDone,
			"100-task-queued-no-connreq.txt":            OutcomeQueued,
			"16-task-reboot-connreq-sim-faults.txt":     OutcomeFaulted,
			"123-task-offline-device-connreq-fails.txt": OutcomeOffline,
			"127-task-cr-accepted-but-no-session.txt":   OutcomeNotProcessed,
		} {
			r := newReplay(t, name)
			c := r.captures[0]
			u, _ := url.Parse(c.target)
			id, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), "/devices/"), "/tasks"))
			var task Task
			reqBody := requestBody(t, name)
			require.NoError(t, json.Unmarshal([]byte(reqBody), &task))
			res, err := r.client(t).CreateTask(ctx, id, task, TaskOptions{ConnectionRequest: u.Query().Has("connection_request")})
			require.NoError(t, err, name)
			require.Equal(t, want, res.Outcome, name)
			require.Equal(t, c.status, res.Status)
			require.Len(t, res.Task.ID, 24)
			require.Equal(t, id, res.Task.Device)
		}
	})
	t.Run("ExpiryAndUniqueKey", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "107-task-queued-with-expiry-uniqueKey.txt")
		obj := "InternetGatewayDevice.DeviceInfo"
		res, err := r.client(t).CreateTask(ctx, "202BC1-BM632w-000003",
			Task{Name: TaskRefreshObject, ObjectName: &obj, UniqueKey: "refresh-devinfo", ExpireIn: 600 * time.Second}, TaskOptions{})
		require.NoError(t, err)
		require.Equal(t, OutcomeQueued, res.Outcome)
		require.Equal(t, "refresh-devinfo", res.Task.UniqueKey)
		require.Equal(t, 10*time.Minute, res.Task.Expiry.Sub(*res.Task.Timestamp))
	})
	t.Run("UnknownDevice", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "112-err-task-unknown-device-connreq.txt", "23-tag-add-unknown-device.txt")
		u, _ := url.Parse(r.captures[0].target)
		id, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), "/devices/"), "/tasks"))
		var task Task
		require.NoError(t, json.Unmarshal([]byte(requestBody(t, "112-err-task-unknown-device-connreq.txt")), &task))
		_, err := r.client(t).CreateTask(ctx, id, task, TaskOptions{ConnectionRequest: true})
		require.ErrorIs(t, err, ErrDeviceNotFound)
	})
	t.Run("WakeUp", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "12-connection-request-only-no-task.txt")
		ok, _, err := r.client(t).WakeUp(ctx, "202BC1-BM632w-000001")
		require.NoError(t, err)
		require.True(t, ok)
		r = newReplay(t, "124-connreq-only-offline-device.txt")
		u, _ := url.Parse(r.captures[0].target)
		id, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), "/devices/"), "/tasks"))
		ok, why, err := r.client(t).WakeUp(ctx, id)
		require.NoError(t, err)
		require.False(t, ok)
		require.Equal(t, "Device is offline", why)
	})
	t.Run("HeadCount", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "118-head-devices-total.txt")
		n, err := r.client(t).CountDevices(ctx, map[string]any{})
		require.NoError(t, err)
		require.Equal(t, 5, n)
	})
	t.Run("ProvisionSyntaxError", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "32-provision-put-syntax-error.txt")
		err := r.client(t).PutProvision(ctx, "broken", requestBody(t, "32-provision-put-syntax-error.txt"))
		require.ErrorIs(t, err, ErrScript)
		require.ErrorContains(t, err, "SyntaxError: Unexpected token ';'")
	})
	t.Run("BadQueryJSONIs400NotABreakerFailure", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "110-err-bad-query-json.txt")
		c := r.client(t)
		resp, err := c.do(ctx, request{method: http.MethodGet, path: "/devices/", query: url.Values{"query": {`{"_id":`}}})
		if resp != nil {
			resp.Body.Close()
		}
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		require.Equal(t, 400, he.Status)
		require.Equal(t, "SyntaxError: Unexpected end of JSON input", he.Body)
		require.True(t, excluded(err))
	})
	t.Run("DroppedConnection", func(t *testing.T) {
		t.Parallel()
		r := newReplay(t, "105-task-delete-invalid-objectid.txt")
		c := r.client(t)
		resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/tasks/not-an-objectid"})
		if resp != nil {
			resp.Body.Close()
		}
		require.ErrorIs(t, err, ErrDropped)
		require.False(t, excluded(err), "a dropped connection counts against GenieACS")
		require.ErrorIs(t, c.DeleteTask(ctx, "not-an-objectid"), ErrInvalidTask, "validated before sending")
	})
}

// requestBody returns the recorded request body of a capture.
func requestBody(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(captureDir, name))
	require.NoError(t, err)
	s := string(raw)
	i := strings.Index(s, "# body (")
	require.GreaterOrEqual(t, i, 0, "%s has no request body", name)
	s = s[i:]
	s = s[strings.Index(s, "\n")+1:]
	body, _, _ := strings.Cut(s, "\n\n")
	return strings.TrimSpace(body)
}
