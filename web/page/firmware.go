package page

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/firmware"
	fwview "github.com/fyberpay/cpe/views/firmware"
	"github.com/fyberpay/cpe/views/form"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// firmwarePage reads the library into the page's data.
func (h *Handler) firmwarePage(c echo.Context, f fwview.UploadForm, flashMsg string) (fwview.Page, error) {
	a := actorOf(c)
	imgs, err := h.Firmware.List(c.Request().Context(), a)
	if err != nil {
		return fwview.Page{}, err
	}
	return fwview.Page{Images: imgs, CanManage: a.Can(actor.PermFirmwareDeploy), Form: f, MaxBytes: h.Firmware.MaxBytes,
		Flash: flashMsg, CSRF: middleware.CSRF(c)}, nil
}

// FirmwareList is the Firmware page.
func (h *Handler) FirmwareList(c echo.Context) error {
	p, err := h.firmwarePage(c, fwview.UploadForm{}, "")
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, fwview.Show(Meta(c, "Firmware", "firmware"), p))
}

// FirmwareUpload streams an uploaded image to GenieACS. htmx (which shows
// the upload's progress) gets the library section back, with the new image
// or the form's errors; a plain form post gets the page.
func (h *Handler) FirmwareUpload(c echo.Context) error {
	meta, img, err := h.upload(c)
	if err == nil {
		msg := fmt.Sprintf("Uploaded %s (%s version %s, %s).", img.Filename, img.ProductClass, img.Version, firmware.Bytes(img.Size))
		if !middleware.IsHTMX(c) {
			flash(c, msg)
			return seeOther(c, "/firmware")
		}
		return h.firmwareSection(c, fwview.UploadForm{}, msg)
	}
	errs, ok := uploadErrors(c, err)
	if !ok {
		return err
	}
	f := fwview.UploadForm{OUI: meta.OUI, ProductClass: meta.ProductClass, Version: meta.Version, Errors: errs}
	if middleware.IsHTMX(c) {
		return h.firmwareSection(c, f, "") // htmx swaps 2xx answers only
	}
	p, perr := h.firmwarePage(c, f, "")
	if perr != nil {
		return perr
	}
	return Render(c, http.StatusUnprocessableEntity, fwview.Show(Meta(c, "Firmware", "firmware"), p))
}

// upload reads the form up to its file and streams the file.
func (h *Handler) upload(c echo.Context) (firmware.Meta, firmware.Image, error) {
	mr, err := middleware.MultipartReader(c)
	if err != nil {
		return firmware.Meta{}, firmware.Image{}, httperr.BadRequest("bad_form", "send the form as multipart/form-data")
	}
	meta, file, err := firmware.ReadMultipart(mr)
	if err != nil {
		return meta, firmware.Image{}, err
	}
	img, err := h.Firmware.Upload(c.Request().Context(), actorOf(c), meta, file, -1, h.Firmware.MaxBytes)
	return meta, img, err
}

func (h *Handler) firmwareSection(c echo.Context, f fwview.UploadForm, flashMsg string) error {
	p, err := h.firmwarePage(c, f, flashMsg)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, fwview.Library(p))
}

// uploadErrors are the errors the upload form shows beside its fields:
// validation, a name already taken, an image over the limit.
func uploadErrors(c echo.Context, err error) (form.Errors, bool) {
	if errs, ok := formErrors(c, err); ok {
		return errs, true
	}
	var tl *firmware.TooLargeError
	switch {
	case errors.As(err, &tl):
		return kept(c, form.Errors{"file": tl.Error()}), true
	case errors.Is(err, firmware.ErrNameTaken):
		return kept(c, form.Errors{"filename": firmware.ErrNameTaken.Error()}), true
	}
	return nil, false
}

// FirmwareDelete deletes an image (the form names it and how many devices
// run it before it is sent).
func (h *Handler) FirmwareDelete(c echo.Context) error {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return err
	}
	img, err := h.Firmware.Delete(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	flash(c, fmt.Sprintf("Deleted %s (%s version %s).", img.Filename, img.ProductClass, img.Version))
	return seeOther(c, "/firmware")
}
