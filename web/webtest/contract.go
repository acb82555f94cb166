package webtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fyberpay/cpe/web/apidoc"
)

// contract holds every JSON API exchange a test makes to the OpenAPI
// document (web/apidoc): its parameters, its status (documented, or the
// default error answer) and its body against the schema documented for
// that status. A mismatch fails the test at its end, naming the call.
type contract struct {
	router routers.Router
	mu     sync.Mutex
	bad    []string
}

func newContract(t testing.TB) *contract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(apidoc.JSON()) // as a client reads it: references resolved
	if err != nil {
		t.Fatalf("webtest: the OpenAPI document does not load: %v", err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("webtest: the OpenAPI document does not route: %v", err)
	}
	c := &contract{router: r}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.bad) > 0 {
			t.Errorf("API exchanges that break the OpenAPI document (web/apidoc):\n%s", strings.Join(c.bad, "\n"))
		}
	})
	return c
}

func (c *contract) note(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bad) < 20 {
		c.bad = append(c.bad, fmt.Sprintf(format, args...))
	}
}

// wrap checks the exchanges of the documented API passing through h.
func (c *contract) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/cpe/") && r.URL.Path != "/internal/cpe/identify" {
			h.ServeHTTP(w, r)
			return
		}
		route, params, err := c.router.FindRoute(r)
		if err != nil { // an undocumented path: the router answers it (404); TestDocumentCoversTheRouter holds the rest
			h.ServeHTTP(w, r)
			return
		}
		reqBody, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		// A request the server took must be one the document allows; one
		// it refused (a bad-input test) is held to the error answer only.
		in := &openapi3filter.RequestValidationInput{Request: r.Clone(context.Background()), PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: rec.Code >= 300}}
		in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
		if rec.Code < 300 {
			if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
				c.note("%s %s: request: %v", r.Method, r.URL.RequestURI(), err)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())

		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			c.note("%s %s: %d response: %v", r.Method, r.URL.RequestURI(), rec.Code, err)
		}
	})
}
