package webtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fyberpay/cpe/web/apidoc"
)

// The contract check catches an exchange the document does not allow: an
// error body that is not the one error shape, a documented call's status
// falling to the error answer with a success body, a success body of
// another shape than its schema; the one error shape and a device of its
// shape pass.
func TestContractCatchesWhatTheDocumentDoesNotAllow(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(apidoc.JSON())
	if err != nil {
		t.Fatal(err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		bad        bool
	}{
		{"TheErrorShape", `{"error":{"code":"not_found","message":"not found"}}`, http.StatusNotFound, false},
		{"AnotherErrorShape", `{"message":"not found"}`, http.StatusNotFound, true},
		{"AnUndocumentedSuccess", `{"id":"x"}`, http.StatusCreated, true},
		{"ASuccessOfItsShape", `{"id":"8d2f7f6e-0b7a-4c8e-9f57-1c8f0b4b1f11","tags":["org:acme"],"capabilities":null,"recentActions":[]}`, http.StatusOK, false},
		{"ASuccessOfAnotherShape", `{"id":5,"tags":"org:acme"}`, http.StatusOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &contract{router: r}
			h := c.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			req := httptest.NewRequest(http.MethodGet, "http://fyberpay.test/cpe/devices/8d2f7f6e-0b7a-4c8e-9f57-1c8f0b4b1f11", nil)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got := len(c.bad) > 0; got != tc.bad {
				t.Fatalf("reported %v, want %v: %s", c.bad, tc.bad, strings.Join(c.bad, "; "))
			}
		})
	}
}
