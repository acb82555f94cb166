package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/apidoc"
	"github.com/fyberpay/cpe/web/webtest"
)

// apiRoutes are the router's JSON API operations: under /cpe and the
// identify callback, without the catch-alls.
func apiRoutes(b *webtest.Bundle) []apidoc.Route {
	var out []apidoc.Route
	for _, r := range b.Router.Routes() {
		if strings.HasSuffix(r.Path, "/*") || r.Method == "echo_route_any" {
			continue
		}
		if strings.HasPrefix(r.Path, "/cpe/") || r.Path == "/internal/cpe/identify" {
			out = append(out, apidoc.Route{Method: r.Method, Path: r.Path})
		}
	}
	return out
}

// missing lists what of want is not in have.
func missing(want, have []apidoc.Route) []apidoc.Route {
	var out []apidoc.Route
	for _, r := range want {
		if !slices.Contains(have, r) {
			out = append(out, r)
		}
	}
	return out
}

// Every operation the router serves under /cpe (and identify) is in the
// document, and every documented one is routed; a route added without
// documentation fails here (the negative case below shows it would).
func TestDocumentCoversTheRouter(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	routed, documented := apiRoutes(b), apidoc.Routes()
	require.Greater(t, len(routed), 90)
	require.Empty(t, missing(routed, documented), "routed but not documented")
	require.Empty(t, missing(documented, routed), "documented but not routed")

	// The check itself: a new route without documentation is reported.
	extra := append(slices.Clone(routed), apidoc.Route{Method: http.MethodPost, Path: "/cpe/devices/:id/new-thing"})
	require.Equal(t, []apidoc.Route{{Method: http.MethodPost, Path: "/cpe/devices/:id/new-thing"}}, missing(extra, documented))
}

// /cpe/openapi.json needs no key and is a valid OpenAPI 3.1 document whose
// operations need an API key (identify the internal key; the document
// itself none).
func TestOpenAPIDocumentServed(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	resp, err := http.Get(b.Srv.URL + "/cpe/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	require.True(t, doc.IsOpenAPI31OrLater())
	get := doc.Paths.Find("/cpe/devices/{id}").Get
	require.NotNil(t, get)
	require.Equal(t, "apiKey", firstScheme(get.Security))
	require.NotNil(t, get.Responses.Value("200"))
	require.Equal(t, "#/components/responses/Error", get.Responses.Value("default").Ref)
	require.Equal(t, "internalKey", firstScheme(doc.Paths.Find("/internal/cpe/identify").Post.Security))
	require.Empty(t, *doc.Paths.Find("/cpe/openapi.json").Get.Security, "the document needs no key")
	wifi := doc.Paths.Find("/cpe/devices/{id}/wifi").Post
	require.NotNil(t, wifi.RequestBody, "a JSON body is described")
	require.Contains(t, wifi.RequestBody.Value.Content.Get("application/json").Schema.Value.Properties, "ssid")
	require.NotNil(t, wifi.Responses.Value("202").Value.Content.Get("application/json"), "so is the answer")
	task := doc.Paths.Find("/cpe/devices/{id}/reboot").Post.Responses
	require.NotNil(t, task.Value("200"))
	require.NotNil(t, task.Value("202"))
	var shape struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &shape))
	require.Contains(t, string(shape.Components.Schemas["Error"]), `"fields"`)
}

func firstScheme(reqs *openapi3.SecurityRequirements) string {
	if reqs == nil || len(*reqs) == 0 {
		return ""
	}
	for name := range (*reqs)[0] {
		return name
	}
	return ""
}
