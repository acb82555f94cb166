package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/web/httperr"
)

// firmwareJSON is the spec's upload body.
type firmwareJSON struct {
	firmware.Meta
	Data string `json:"data"`
}

// FirmwareUploadJSON is POST /cpe/firmware/upload: the spec's JSON body,
// the image in base64 (up to FIRMWARE_JSON_MAX_BYTES decoded).
func (h *Handler) FirmwareUploadJSON(c echo.Context) error {
	var in firmwareJSON
	if err := decodeMax(c, &in, firmware.Base64Len(h.Firmware.JSONMaxBytes)+64<<10); err != nil {
		return err
	}
	img, err := h.Firmware.UploadBase64(c.Request().Context(), actorOf(c), in.Meta, in.Data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, img)
}

// FirmwareUpload is POST /cpe/firmware: multipart/form-data with oui,
// productClass, version (and optionally filename), then file, streamed to
// GenieACS (up to FIRMWARE_MAX_BYTES).
func (h *Handler) FirmwareUpload(c echo.Context) error {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return &httperr.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send multipart/form-data with the fields oui, productClass, version, then file (or JSON to /cpe/firmware/upload)"}
	}
	meta, file, err := firmware.ReadMultipart(mr)
	if err != nil {
		return err
	}
	img, err := h.Firmware.Upload(c.Request().Context(), actorOf(c), meta, file, -1, h.Firmware.MaxBytes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, img)
}

// FirmwareList is GET /cpe/firmware.
func (h *Handler) FirmwareList(c echo.Context) error {
	imgs, err := h.Firmware.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(imgs))
}

// FirmwareGet is GET /cpe/firmware/:id.
func (h *Handler) FirmwareGet(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	img, err := h.Firmware.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, img)
}

// FirmwareDelete is DELETE /cpe/firmware/:id: the image leaves GenieACS
// and the library.
func (h *Handler) FirmwareDelete(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.Firmware.Delete(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
