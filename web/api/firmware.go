package api

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// FirmwareJSON is the spec's upload body: the image's metadata and the
// image in base64.
type FirmwareJSON struct {
	firmware.Meta
	Data string `json:"data"`
}

// FirmwareUploadJSON is POST /cpe/firmware/upload: the spec's JSON body,
// the image in base64 (up to FIRMWARE_JSON_MAX_BYTES decoded).
func (h *Handler) FirmwareUploadJSON(c echo.Context) error {
	var in FirmwareJSON
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
	mr, err := firmware.MultipartReader(c.Request())
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

// FirmwareDeploy is POST /cpe/firmware/deploy: the spec's {filename, model}
// and the rollout's waves, cap, window and halt rule; 202 with the
// deployment's id and where to follow it (a dry run: 200 with what it would
// do, nothing sent).
func (h *Handler) FirmwareDeploy(c echo.Context) error {
	var in firmware.DeployInput
	if err := decode(c, &in); err != nil {
		return err
	}
	res, err := h.Firmware.Deploy(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	if res.DryRun {
		return c.JSON(http.StatusOK, res)
	}
	c.Response().Header().Set(echo.HeaderLocation, res.StatusURL)
	return c.JSON(http.StatusAccepted, res)
}

// FirmwareDeployments is GET /cpe/firmware/deployments.
func (h *Handler) FirmwareDeployments(c echo.Context) error {
	errs := validation.Errors{}
	limit := queryLimit(c, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	ds, err := h.Firmware.Deployments(c.Request().Context(), actorOf(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(ds))
}

// FirmwareDeployment is GET /cpe/firmware/deployments/:id: live counts per
// state and wave, the failing devices with their CWMP fault text.
func (h *Handler) FirmwareDeployment(c echo.Context) error {
	return h.deploymentCall(c, h.Firmware.GetDeployment)
}

// FirmwareDeploymentPause is POST /cpe/firmware/deployments/:id/pause.
func (h *Handler) FirmwareDeploymentPause(c echo.Context) error {
	return h.deploymentCall(c, h.Firmware.Pause)
}

// FirmwareDeploymentResume is POST /cpe/firmware/deployments/:id/resume.
func (h *Handler) FirmwareDeploymentResume(c echo.Context) error {
	return h.deploymentCall(c, h.Firmware.Resume)
}

// FirmwareDeploymentCancel is POST /cpe/firmware/deployments/:id/cancel.
func (h *Handler) FirmwareDeploymentCancel(c echo.Context) error {
	return h.deploymentCall(c, h.Firmware.Cancel)
}

func (h *Handler) deploymentCall(c echo.Context, call func(context.Context, actor.Actor, uuid.UUID) (firmware.Deployment, error)) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	d, err := call(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
