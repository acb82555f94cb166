// Package api holds the JSON API under /cpe, used by integrations with an
// API key. Handlers call the same service methods as the pages; errors take
// one shape: {"error":{"code","message","fields"}}.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/action"
	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/dashboard"
	"github.com/fyberpay/cpe/internal/devicehealth"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/fault"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/integration"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// Handler serves the JSON API.
type Handler struct {
	Users       *user.Service
	APIKeys     *apikey.Service
	Webhooks    *outbox.Endpoints
	Subscribers *subscriber.Service
	Devices     *cpe.Service
	Actions     *action.Service
	Sync        *devsync.Service
	// Faults lists and clears GenieACS faults.
	Faults *fault.Service
	Audit  *audit.Reader
	// Dashboards is plural because the method Dashboard serves the route.
	Dashboards *dashboard.Service
	// Health is the devices' health series.
	Health *devicehealth.Service
	// Firmware is the image library.
	Firmware *firmware.Service
	// Provisions are the organizations' own provision scripts.
	Provisions *orgprovision.Service
	// Orgs are the organization's own settings.
	Orgs *org.Service
	// Integration runs the troubleshooting checks; KeyProbe is its
	// identify round trip.
	Checks   *integration.Service
	KeyProbe integration.KeyProbe
}

// maxBody bounds JSON request bodies.
const maxBody = 1 << 20

// decode reads a JSON body strictly: one object, no unknown fields, no
// trailing data. Failures are 400 with the reason.
func decode(c echo.Context, v any) error { return decodeMax(c, v, maxBody) }

// decodeMax is decode of a body up to max bytes.
func decodeMax(c echo.Context, v any, max int64) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return &httperr.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httperr.Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("body exceeds %d bytes", max)}
		}
		if errors.Is(err, io.EOF) {
			return httperr.BadRequest("bad_json", "request body is empty; send a JSON object")
		}
		return httperr.BadRequest("bad_json", "request body is not valid JSON for this endpoint: "+jsonReason(err))
	}
	if dec.More() {
		return httperr.BadRequest("bad_json", "request body has data after the JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return httperr.BadRequest("bad_json", "request body has data after the JSON object")
	}
	return nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, jsonKind(te.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return err.Error()
}

// jsonKind names a Go type as the JSON value it decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another kind of value"
}

func actorOf(c echo.Context) actor.Actor {
	a, _ := middleware.Actor(c)
	return a
}

// queryID reads an optional id from the query string (nil when absent;
// a field error when malformed).
func queryID(c echo.Context, name string, errs validation.Errors) *uuid.UUID {
	v := c.QueryParam(name)
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		errs.Add(name, "must be an id")
		return nil
	}
	return &id
}

// queryLimit reads an optional page size (0 when absent; the service
// checks the range).
func queryLimit(c echo.Context, errs validation.Errors) int {
	v := c.QueryParam("limit")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		errs.Add("limit", "must be a number between 1 and 500")
	}
	return n
}

// list wraps a collection so it can grow paging fields without breaking
// clients.
type list[T any] struct {
	Items []T `json:"items"`
}

func items[T any](v []T) list[T] {
	if v == nil {
		v = []T{}
	}
	return list[T]{Items: v}
}

// Me describes the calling key.
func (h *Handler) Me(c echo.Context) error {
	a := actorOf(c)
	return c.JSON(http.StatusOK, MeAnswer{OrganizationID: a.OrgID, KeyID: a.ID, Name: strings.TrimPrefix(a.Label, "key:"), Role: string(a.Role)})
}

// MeAnswer is GET /cpe/me's answer: the calling key.
type MeAnswer struct {
	OrganizationID uuid.UUID `json:"organizationId"`
	KeyID          uuid.UUID `json:"keyId"`
	Name           string    `json:"name"`
	Role           string    `json:"role"`
}
