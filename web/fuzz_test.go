package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fyberpay/cpe/web/callback"
	"github.com/fyberpay/cpe/web/webtest"
)

// listFilters are every list route with the query parameters it reads, for
// the JSON API (key) and the pages (session).
var listFilters = []struct {
	path   string
	params []string
}{
	{"/cpe/devices", []string{"serial", "subscriber", "model", "firmware", "tag", "status", "sort", "after", "limit"}},
	{"/cpe/devices.csv", []string{"serial", "subscriber", "model", "firmware", "tag", "status", "sort"}},
	{"/cpe/audit", []string{"actor", "action", "targetType", "targetId", "before", "limit"}},
	{"/cpe/faults", []string{"status", "code", "model", "device", "after", "limit"}},
	{"/cpe/subscribers", []string{"q", "status", "after", "limit"}},
	{"/cpe/tasks", []string{"status", "kind", "device", "bulk", "after", "limit"}},
	{"/cpe/pending", []string{"serial", "after", "limit"}},
	{"/cpe/identity-conflicts", []string{"limit"}},
	{"/cpe/firmware/deployments", []string{"limit", "after"}},
	{"/cpe/plans", []string{"after"}},
	{"/cpe/webhooks", []string{"after"}},
	{"/cpe/sync/runs", []string{"after", "limit"}},
	{"/devices", []string{"serial", "subscriber", "model", "firmware", "tag", "status", "sort", "after"}},
	{"/devices/export.csv", []string{"serial", "subscriber", "model", "firmware", "tag", "status", "sort"}},
	{"/audit", []string{"actor", "action", "targetType", "targetId", "before"}},
	{"/faults", []string{"status", "code", "model", "device", "after"}},
	{"/subscribers", []string{"q", "status", "after"}},
	{"/tasks", []string{"status", "kind", "device", "bulk", "after"}},
	{"/pending", []string{"serial", "after"}},
	{"/firmware/deploy", []string{"image"}},
	{"/firmware/deployments", []string{"after"}},
	{"/login", []string{"next"}},
}

// FuzzTextAtTheEdges sends each input as every list filter, as the fields
// of an identify body and as a sign-in e-mail: nothing may answer 500. The
// seeds are the penetration test's cases (NUL, invalid UTF-8, controls).
func FuzzTextAtTheEdges(f *testing.F) {
	for _, s := range []string{
		"a\x00b", "\x00", "\xff\xfe", "HWTC\x01\x02", "/%09/evil.example", "/\t/evil.example", "a%00%40x.test", "a\x00@x.test",
		"", "'", "%", "\\", "\"", "9999999999999999999999", "-1", "2026-13-45", "null", "\u202egnp.exe",
		"\U0001F642", strings.Repeat("A", 300), "eyJpZCI6MX0", "00000000-0000-0000-0000-00000000000\x00",
	} {
		f.Add(s)
	}
	b := webtest.Setup(f)
	br := b.LoggedIn(f, b.AdminA)
	f.Fuzz(func(t *testing.T, s string) {
		br.T = t
		for _, l := range listFilters {
			for _, p := range l.params {
				u := l.path + "?" + url.Values{p: {s}}.Encode()
				var status int
				if strings.HasPrefix(l.path, "/cpe/") {
					status = rawStatus(t, b.Srv.URL+u, b.KeyA)
				} else {
					status = br.Get(u).Status
				}
				if status >= 500 {
					t.Fatalf("GET %s: %d", u, status)
				}
			}
		}
		val, _ := json.Marshal(s)
		for _, body := range []string{
			`{"serial":"` + s + `","oui":"00259E"}`,
			`{"serial":"HWTC12345678","oui":"` + s + `","productClass":"HG8245H"}`,
			`{"serial":` + string(val) + `,"oui":"00259E","productClass":` + string(val) + `,"manufacturer":` + string(val) + `,"deviceId":` + string(val) + `}`,
			`{"serial":"HWTC12345678","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei","deviceId":"00259E-HG8245H-HWTC12345678","root":` + string(val) + `}`,
		} {
			req, err := http.NewRequest(http.MethodPost, b.Srv.URL+"/internal/cpe/identify", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(callback.HeaderKey, webtest.InternalKey)
			if st := doStatus(t, req); st >= 500 {
				t.Fatalf("identify %q: %d", body, st)
			}
		}
		anon := b.Browser(t)
		anon.Get("/login")
		if p := anon.Post("/login", url.Values{"email": {s}, "password": {"x"}}); p.Status >= 500 || p.Status == http.StatusSeeOther {
			t.Fatalf("login with e-mail %q: %d", s, p.Status)
		}
	})
}

func rawStatus(t *testing.T, u, key string) int {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	return doStatus(t, req)
}

func doStatus(t *testing.T, req *http.Request) int {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
