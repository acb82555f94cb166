package webtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/callback"
)

// APIResp is a JSON answer: its status, headers, decoded body and raw text.
type APIResp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// ErrCode returns error.code of a JSON error body.
func (r APIResp) ErrCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// ErrMessage returns error.message of a JSON error body.
func (r APIResp) ErrMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// ErrFields returns error.fields of a JSON error body.
func (r APIResp) ErrFields() map[string]any {
	e, _ := r.Body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// Items returns the items of a JSON list body.
func (r APIResp) Items() []any {
	it, _ := r.Body["items"].([]any)
	return it
}

// API calls the JSON API with a bearer key ("" for none).
func (b *Bundle) API(t testing.TB, method, path, key, body string) APIResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, b.Srv.URL+path, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := APIResp{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.Body), "JSON body: %s", raw)
	}
	return r
}

// Post is API with POST.
func (b *Bundle) Post(t *testing.T, path, key, body string) APIResp {
	t.Helper()
	return b.API(t, http.MethodPost, path, key, body)
}

// Identify posts body to GenieACS's identify callback with the internal key
// ("" for none).
func (b *Bundle) Identify(t *testing.T, key, body string) APIResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.Srv.URL+"/internal/cpe/identify", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(callback.HeaderKey, key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := APIResp{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.Body), string(raw))
	}
	return r
}

// RequireInvalid asserts a 422 naming field with exactly msg.
func RequireInvalid(t *testing.T, r APIResp, field, msg string) {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, r.Raw)
	require.Equal(t, "invalid", r.ErrCode(), r.Raw)
	require.Equal(t, msg, r.ErrFields()[field], r.Raw)
}

// WaitTask polls GET /cpe/tasks/:id until the task has status want.
func (b *Bundle) WaitTask(t *testing.T, key, id, want string) APIResp {
	t.Helper()
	var r APIResp
	if !Wait(15*time.Second, func() bool {
		r = b.API(t, http.MethodGet, "/cpe/tasks/"+id, key, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		return r.Body["status"] == want
	}) {
		t.Fatalf("task %s is %v (%v), want %s", id, r.Body["status"], r.Body["message"], want)
	}
	return r
}

// WaitBulk polls GET /cpe/bulk/:id until the bulk action has finished.
func (b *Bundle) WaitBulk(t *testing.T, key, id string) APIResp {
	t.Helper()
	var r APIResp
	if !Wait(15*time.Second, func() bool {
		r = b.API(t, http.MethodGet, "/cpe/bulk/"+id, key, "")
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		return r.Body["status"] != "running"
	}) {
		t.Fatalf("bulk %s still running: %s", id, r.Raw)
	}
	return r
}
