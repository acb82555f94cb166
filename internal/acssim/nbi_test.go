package acssim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTags(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{opts: Options{Devices: 1}})
	id := b.sim.DeviceIDs()[0]
	tags := func() (any, bool) {
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(id)+`}`, "_tags")
		v, ok := docs[0]["_tags"]
		return v, ok
	}
	t.Run("AbsentUntilFirstTag", func(t *testing.T) {
		_, ok := tags()
		require.False(t, ok)
	})
	t.Run("PercentEncodedSegmentIsDecoded", func(t *testing.T) {
		r := b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/sub%3Aalice", "")
		require.Equal(t, "200 OK", r.status)
		require.Empty(t, r.body)
		b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/sub%3Aalice", "")
		b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/has%20space", "")
		v, _ := tags()
		require.Equal(t, []any{"sub:alice", "has space"}, v, "$addToSet keeps one copy")
	})
	t.Run("RawDotFallsThroughEveryRoute", func(t *testing.T) {
		r := b.nbi.must(http.MethodPost, "/devices/"+id+"/tags/v1.2", "")
		require.Equal(t, "404 Not Found", r.status)
		require.Equal(t, "404 Not Found", string(r.body))
	})
	t.Run("UnknownDevice", func(t *testing.T) {
		r := b.nbi.must(http.MethodPost, "/devices/NOPE-NOPE-999/tags/x", "")
		require.Equal(t, "404 Not Found", r.status)
		require.Equal(t, "No such device", string(r.body))
	})
	t.Run("RemovingTheLastTagLeavesAnEmptyList", func(t *testing.T) {
		b.nbi.must(http.MethodDelete, "/devices/"+id+"/tags/sub%3Aalice", "")
		b.nbi.must(http.MethodDelete, "/devices/"+id+"/tags/never-set", "")
		b.nbi.must(http.MethodDelete, "/devices/"+id+"/tags/has%20space", "")
		v, ok := tags()
		require.True(t, ok)
		require.Equal(t, []any{}, v)
	})
	t.Run("OtherMethods", func(t *testing.T) {
		r := b.nbi.must(http.MethodGet, "/devices/"+id+"/tags/x", "")
		require.Equal(t, "405 Method Not Allowed", r.status)
		require.Equal(t, "POST, DELETE", r.header.Get("Allow"))
	})
}

func TestProvisionsAndPresets(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	t.Run("ProvisionSyntaxErrorIs400", func(t *testing.T) {
		r := b.nbi.must(http.MethodPut, "/provisions/broken", "declare(\"X\", {value: Date.now()});\nlet x = ;\n")
		require.Equal(t, "400 Bad Request", r.status)
		require.Equal(t, "SyntaxError: Unexpected token ';'", string(r.body))
		_, ok := b.sim.Provision("broken")
		require.False(t, ok)
	})
	t.Run("ReturnInTheFunctionBodyCompiles", func(t *testing.T) {
		require.Equal(t, "200 OK", b.nbi.must(http.MethodPut, "/provisions/ok", "const a = 1;\nif (a) return;\n").status)
	})
	t.Run("StoredAndQueryable", func(t *testing.T) {
		script := "const serial = declare(\"DeviceID.SerialNumber\", {value: 1}).value[0];\n"
		require.Equal(t, "200 OK", b.nbi.must(http.MethodPut, "/provisions/fyberpay-bootstrap", script).status)
		got, ok := b.sim.Provision("fyberpay-bootstrap")
		require.True(t, ok)
		require.Equal(t, script, got)
		docs, total := b.nbi.list("provisions", `{"_id":"fyberpay-bootstrap"}`, "", "")
		require.Equal(t, "1", total)
		require.Equal(t, map[string]any{"_id": "fyberpay-bootstrap", "script": script}, docs[0])
		r := b.nbi.must(http.MethodGet, "/provisions/fyberpay-bootstrap", "")
		require.Equal(t, "405 Method Not Allowed", r.status)
		require.Equal(t, "PUT, DELETE", r.header.Get("Allow"))
		require.Equal(t, "200 OK", b.nbi.must(http.MethodDelete, "/provisions/fyberpay-bootstrap", "").status)
		require.Equal(t, "200 OK", b.nbi.must(http.MethodDelete, "/provisions/fyberpay-bootstrap", "").status)
		_, ok = b.sim.Provision("fyberpay-bootstrap")
		require.False(t, ok)
	})
	t.Run("PresetStoredAsIsWithID", func(t *testing.T) {
		body := `{"weight":0,"channel":"fyberpay","events":{"0 BOOTSTRAP":true},"precondition":"","configurations":[{"type":"provision","name":"fyberpay-bootstrap","args":[]}]}`
		require.Equal(t, "200 OK", b.nbi.must(http.MethodPut, "/presets/fyberpay-bootstrap", body).status)
		raw, ok := b.sim.Preset("fyberpay-bootstrap")
		require.True(t, ok)
		require.Equal(t, `{"_id":"fyberpay-bootstrap",`+body[1:], string(raw), "_id first, the rest byte for byte")
		r := b.nbi.must(http.MethodPut, "/presets/bad", "{bad json\n")
		require.Equal(t, "400 Bad Request", r.status)
		require.Equal(t, "SyntaxError: Expected property name or '}' in JSON at position 1", string(r.body))
		docs, _ := b.nbi.list("presets", `{"events.0 BOOTSTRAP":true}`, "_id", "")
		require.Equal(t, []map[string]any{{"_id": "fyberpay-bootstrap"}}, docs)
	})
	t.Run("VirtualParametersAreCompileChecked", func(t *testing.T) {
		r := b.nbi.must(http.MethodPut, "/virtual_parameters/x", "return {writable: false, value: [1, \"xsd:int\"]};")
		require.Equal(t, "200 OK", r.status)
		docs, _ := b.nbi.list("virtual_parameters", "", "", "")
		require.Len(t, docs, 1)
		require.Equal(t, "400 Bad Request", b.nbi.must(http.MethodPut, "/virtual_parameters/y", "return {").status)
	})
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	for _, tc := range []struct {
		name, method, path, status, body, allow string
	}{
		{"UnknownCollection", "GET", "/nonexistent/", "404 Not Found", "404 Not Found", ""},
		{"UnknownPath", "GET", "/foo/bar/baz", "404 Not Found", "404 Not Found", ""},
		{"PostToCollection", "POST", "/devices/", "405 Method Not Allowed", "405 Method Not Allowed", "GET, HEAD"},
		{"FaultsNeedDelete", "GET", "/faults/a:b", "405 Method Not Allowed", "405 Method Not Allowed", "DELETE"},
		{"TaskRouteAllowSaysPutDelete", "GET", "/tasks/6b08dd43b0fedbdcb1529d45", "405 Method Not Allowed", "405 Method Not Allowed", "PUT DELETE"},
		{"DeleteUnknownDevice", "DELETE", "/devices/NO-SUCH-DEVICE", "200 OK", "", ""},
		{"DeleteMissingFaultRawColon", "DELETE", "/faults/x-y-z:nothing", "200 OK", "", ""},
		{"EmptyCollectionsAnswer", "GET", "/virtual_parameters", "200 OK", "[\n\n]", ""},
		{"ConfigIsReadable", "GET", "/config/?query=" + url.QueryEscape(`{"_id":{"$regex":"^cwmp"}}`), "200 OK", "[\n\n]", ""},
		{"PingHasNothingToSpawn", "GET", "/ping/127.0.0.1", "500 Internal Server Error", "Error: spawn ping ENOENT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.nbi.must(tc.method, tc.path, "")
			require.Equal(t, tc.status, r.status)
			require.Equal(t, tc.body, string(r.body))
			require.Equal(t, tc.allow, r.header.Get("Allow"))
			require.Equal(t, GenieACSVersion, r.header.Get("GenieACS-Version"))
		})
	}
	t.Run("HeaderNamesKeepGenieACSCase", func(t *testing.T) {
		rec := newRawRecorder()
		req := httptest.NewRequest(http.MethodGet, "/devices/", nil)
		b.sim.NBI().ServeHTTP(rec, req)
		require.Contains(t, rec.header, "total")
		require.Contains(t, rec.header, "GenieACS-Version")
	})
}

// rawRecorder keeps header keys exactly as the handler set them.
type rawRecorder struct {
	header http.Header
	code   int
}

func newRawRecorder() *rawRecorder                 { return &rawRecorder{header: http.Header{}} }
func (r *rawRecorder) Header() http.Header         { return r.header }
func (r *rawRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *rawRecorder) WriteHeader(code int)        { r.code = code }

func TestFailureInjection(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{opts: Options{Devices: 1}})
	t.Run("StatusForEveryRequest", func(t *testing.T) {
		b.sim.SetFailure(Failure{Status: http.StatusInternalServerError})
		for _, p := range []string{"/devices/", "/faults/", "/tasks/x"} {
			r := b.nbi.must(http.MethodGet, p, "")
			require.Equal(t, http.StatusInternalServerError, r.code)
		}
		b.sim.SetFailure(Failure{})
		require.Equal(t, "200 OK", b.nbi.must(http.MethodGet, "/devices/", "").status)
	})
	t.Run("DelayAddsLatency", func(t *testing.T) {
		b.sim.SetFailure(Failure{Delay: 60 * time.Millisecond})
		start := time.Now()
		require.Equal(t, "200 OK", b.nbi.must(http.MethodGet, "/devices/", "").status)
		require.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
		b.sim.SetFailure(Failure{})
	})
	t.Run("DropClosesWithoutResponse", func(t *testing.T) {
		b.sim.SetFailure(Failure{Drop: true})
		_, err := b.nbi.do(http.MethodGet, "/devices/", "")
		require.Error(t, err)
		b.sim.SetFailure(Failure{})
		r := b.nbi.must(http.MethodGet, "/devices/?projection=_id", "")
		var docs []map[string]any
		require.NoError(t, json.Unmarshal(r.body, &docs))
		require.Len(t, docs, 1)
	})
}

// SetValue is the CPE changing a value by itself: GenieACS's document shows
// it from the next inform on, a NUL byte written as JSON.stringify writes
// it.
func TestSetValue(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{opts: Options{Devices: 1}})
	id := b.sim.DeviceIDs()[0]
	path := "InternetGatewayDevice.DeviceInfo.SoftwareVersion"
	if _, ok := b.sim.Value(id, path); !ok {
		path = "Device.DeviceInfo.SoftwareVersion"
	}
	was, ok := b.nbi.param(id, path, "_value")
	require.True(t, ok)
	require.NoError(t, b.sim.SetValue(id, path, "V9\x00x"))
	v, _ := b.sim.Value(id, path)
	require.Equal(t, "V9\x00x", v)
	now, _ := b.nbi.param(id, path, "_value")
	require.Equal(t, was, now, "the document changes when GenieACS reads the value")
	require.NoError(t, b.sim.Inform(b.ctx, id))
	now, _ = b.nbi.param(id, path, "_value")
	require.Equal(t, "V9\x00x", now)
	r := b.nbi.must(http.MethodGet, "/devices/?projection="+path+"&query="+url.QueryEscape(`{"_id":`+jsonString(id)+`}`), "")
	require.Contains(t, string(r.body), `"_value":"V9\u0000x"`)

	require.ErrorIs(t, b.sim.SetValue("NOPE-NOPE-1", path, "x"), ErrNoSuchDevice)
	require.Error(t, b.sim.SetValue(id, path+"X", "x"), "no such parameter")
	require.Error(t, b.sim.SetValue(id, strings.TrimSuffix(path, ".SoftwareVersion"), "x"), "an object")
	require.Error(t, b.sim.SetValue(id, path, []string{"x"}), "not a parameter value")
}
