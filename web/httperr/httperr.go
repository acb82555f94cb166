// Package httperr is the one place domain errors become HTTP statuses,
// machine codes and messages, for pages and the JSON API alike.
package httperr

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/apikey"
	"github.com/fyberpay/cpe/internal/cpe"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/orgprovision"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/internal/validation"
)

// Error is an HTTP-shaped error.
type Error struct {
	Status     int               `json:"-"`
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields,omitempty"`
	RetryAfter int               `json:"-"` // seconds; sets Retry-After
	Internal   error             `json:"-"` // logged, never shown
}

func (e *Error) Error() string {
	if e.Internal != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Code, e.Internal)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap exposes the internal cause.
func (e *Error) Unwrap() error { return e.Internal }

// BadRequest is a 400 with a reason (unparseable body, bad query value).
func BadRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// TooLarge is the 413 of a body over max bytes.
func TooLarge(max int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the request body is larger than %d bytes", max)}
}

// NotFound is the 404 every missing or foreign object gets.
func NotFound() *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such object"}
}

// IDParam reads the id in the path parameter name (pages and the API
// alike); a malformed one names no object, so it is NotFound.
func IDParam(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, NotFound()
	}
	return id, nil
}

// From maps any error to its HTTP form.
func From(err error) *Error {
	var he *Error
	if errors.As(err, &he) {
		return he
	}
	var ve validation.Errors
	if errors.As(err, &ve) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "some fields are invalid", Fields: ve}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return TooLarge(mbe.Limit)
	}
	var fte *firmware.TooLargeError
	if errors.As(err, &fte) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fte.Error(), Fields: map[string]string{"file": fte.Error()}}
	}
	var me *datamodel.MissingError
	if errors.As(err, &me) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "missing_capability", Message: me.Reason,
			Fields: map[string]string{"capability": string(me.Capability)}}
	}
	var te *user.ThrottledError
	if errors.As(err, &te) {
		return &Error{Status: http.StatusTooManyRequests, Code: "throttled", Message: te.Error(),
			RetryAfter: int(math.Ceil(te.RetryAfter.Seconds()))}
	}
	switch {
	case errors.Is(err, orgprovision.ErrTooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: orgprovision.ErrTooLarge.Error(), Fields: map[string]string{"script": orgprovision.ErrTooLarge.Error()}}
	case errors.Is(err, genieacs.ErrScript):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error(), Fields: map[string]string{"script": err.Error()}}
	case errors.Is(err, firmware.ErrDeploymentState):
		return &Error{Status: http.StatusConflict, Code: "wrong_state", Message: firmware.ErrDeploymentState.Error()}
	case errors.Is(err, firmware.ErrImageInUse):
		return &Error{Status: http.StatusConflict, Code: "in_use", Message: firmware.ErrImageInUse.Error()}
	case errors.Is(err, firmware.ErrNameTaken):
		return &Error{Status: http.StatusConflict, Code: "name_taken", Message: firmware.ErrNameTaken.Error(), Fields: map[string]string{"filename": firmware.ErrNameTaken.Error()}}
	case errors.Is(err, user.ErrBusy):
		return &Error{Status: http.StatusServiceUnavailable, Code: "busy", Message: user.ErrBusy.Error(), RetryAfter: 1}
	case errors.Is(err, genieacs.ErrCircuitOpen):
		return &Error{Status: http.StatusServiceUnavailable, Code: "genieacs_unavailable", RetryAfter: 30,
			Message: "GenieACS is not answering, so FyberPay has paused calls to it for a moment; try again shortly"}
	case errors.Is(err, genieacs.ErrDropped):
		return &Error{Status: http.StatusBadGateway, Code: "genieacs_error", Message: "GenieACS closed the connection without answering", Internal: err}
	case errors.Is(err, db.ErrNotFound):
		return NotFound()
	case errors.Is(err, actor.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: actor.ErrForbidden.Error()}
	case errors.Is(err, actor.ErrNotOperator):
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: actor.ErrNotOperator.Error()}
	case errors.Is(err, db.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: "the object changed or already exists", Internal: err}
	case errors.Is(err, user.ErrBadCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: "bad_credentials", Message: user.ErrBadCredentials.Error()}
	case errors.Is(err, apikey.ErrInvalid):
		return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: apikey.ErrInvalid.Error()}
	}
	var fe *cpe.ErrImportFile
	if errors.As(err, &fe) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_file", Message: fe.Error(), Fields: map[string]string{"file": fe.Reason}}
	}
	if errors.Is(err, cpe.ErrImportHasErrors) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error(), Fields: map[string]string{"file": err.Error()}}
	}
	if errors.Is(err, cpe.ErrConflictResolved) {
		return &Error{Status: http.StatusConflict, Code: "conflict_resolved", Message: cpe.ErrConflictResolved.Error()}
	}
	var ae *cpe.AssignedElsewhereError
	if errors.As(err, &ae) {
		return &Error{Status: http.StatusConflict, Code: "assigned_elsewhere", Message: ae.Error()}
	}
	if errors.Is(err, cpe.ErrAlreadyClaimed) {
		return &Error{Status: http.StatusConflict, Code: "already_claimed", Message: cpe.ErrAlreadyClaimed.Error()}
	}
	var ge *genieacs.HTTPError
	if errors.As(err, &ge) && ge.Status >= 500 {
		return &Error{Status: http.StatusBadGateway, Code: "genieacs_error", Message: fmt.Sprintf("GenieACS answered %d %s", ge.Status, ge.Reason), Internal: err}
	}
	var ee *echo.HTTPError
	if errors.As(err, &ee) {
		msg := http.StatusText(ee.Code)
		if s, ok := ee.Message.(string); ok && s != "" {
			msg = s
		}
		return &Error{Status: ee.Code, Code: codeFor(ee.Code), Message: msg, Internal: ee.Internal}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side; it has been logged", Internal: err}
}

func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}
