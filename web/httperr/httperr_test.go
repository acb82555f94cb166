package httperr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/user"
	"github.com/fyberpay/cpe/internal/validation"
)

func TestFrom(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("reboot: %w", genieacs.ErrCircuitOpen), http.StatusServiceUnavailable, "genieacs_unavailable"},
		{genieacs.ErrDropped, http.StatusBadGateway, "genieacs_error"},
		{&genieacs.HTTPError{Status: 500, Reason: "Internal Server Error"}, http.StatusBadGateway, "genieacs_error"},
		{fmt.Errorf("x: %w", db.ErrNotFound), http.StatusNotFound, "not_found"},
		{actor.ErrForbidden, http.StatusForbidden, "forbidden"},
		{actor.ErrNotOperator, http.StatusForbidden, "forbidden"},
		{validation.Errors{"f": "bad"}, http.StatusUnprocessableEntity, "invalid"},
		{&user.ThrottledError{}, http.StatusTooManyRequests, "throttled"},
		{context.DeadlineExceeded, http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			he := From(tt.err)
			require.Equal(t, tt.status, he.Status)
			require.Equal(t, tt.code, he.Code)
			require.NotEmpty(t, he.Message)
		})
	}
	require.Equal(t, 30, From(genieacs.ErrCircuitOpen).RetryAfter, "clients are told when to come back")
	require.NotContains(t, From(errors.New("pq: secret detail")).Message, "secret", "internal causes are never shown")
}

func TestIDParam(t *testing.T) {
	want := uuid.New()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	c.SetParamNames("id", "cid")
	c.SetParamValues(want.String(), "not-an-id")

	got, err := IDParam(c, "id")
	require.NoError(t, err)
	require.Equal(t, want, got)
	for _, name := range []string{"cid", "missing"} {
		_, err = IDParam(c, name)
		require.Equal(t, NotFound(), err, name)
	}
}
