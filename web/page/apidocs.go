package page

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/views/apidocs"
	"github.com/fyberpay/cpe/web/apidoc"
)

// APIDocs is the JSON API's reference, read from its OpenAPI document.
func (h *Handler) APIDocs(c echo.Context) error {
	return Render(c, http.StatusOK, apidocs.Page(Meta(c, "API reference", "apidocs"), apidoc.Groups()))
}
