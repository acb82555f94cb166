package page

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/firmware"
	"github.com/fyberpay/cpe/internal/validation"
	fwview "github.com/fyberpay/cpe/views/firmware"
	"github.com/fyberpay/cpe/web/httperr"
	"github.com/fyberpay/cpe/web/middleware"
)

// defaultDeployForm is the deploy form as first shown.
func defaultDeployForm(imageID string) fwview.DeployForm {
	return fwview.DeployForm{ImageID: imageID, Waves: "10, 100", MaxInFlight: strconv.Itoa(firmware.DefaultMaxInFlight), OnlyOutdated: true,
		FailureRate: strconv.Itoa(firmware.DefaultFailureRate), MinDevices: strconv.Itoa(firmware.DefaultMinDevices),
		Grace: strconv.Itoa(firmware.DefaultOfflineGrace), From: "01:00", To: "05:00", TZ: "Africa/Nairobi"}
}

func (h *Handler) deployPage(c echo.Context, status int, f fwview.DeployForm, preview *firmware.DeployResult) error {
	imgs, err := h.Firmware.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	p := fwview.DeployPage{Images: imgs, Form: f, Preview: preview, CSRF: middleware.CSRF(c)}
	for i := range imgs {
		if imgs[i].ID.String() == f.ImageID {
			p.Image = &imgs[i]
		}
	}
	return Render(c, status, fwview.DeployShow(Meta(c, "Deploy firmware", "firmware"), p))
}

// FirmwareDeployForm is the deploy form (?image= picks the image).
func (h *Handler) FirmwareDeployForm(c echo.Context) error {
	if err := actorOf(c).Require(actor.PermFirmwareDeploy); err != nil {
		return err
	}
	return h.deployPage(c, http.StatusOK, defaultDeployForm(c.QueryParam("image")), nil)
}

// FirmwareDeploy previews (dryRun) or starts a deployment.
func (h *Handler) FirmwareDeploy(c echo.Context) error {
	form, _ := c.FormParams()
	f := fwview.DeployForm{ImageID: form.Get("image"), Waves: form.Get("waves"), MaxInFlight: form.Get("maxInFlight"),
		OnlyOutdated: form.Get("onlyOutdated") == "true", UseWindow: form.Get("window") == "true", Days: form["days"],
		From: form.Get("from"), To: form.Get("to"), TZ: form.Get("timezone"),
		FailureRate: form.Get("failureRatePercent"), MinDevices: form.Get("minDevices"), Grace: form.Get("offlineGraceMinutes")}
	in, errs := h.deployInput(c.Request().Context(), actorOf(c), f)
	in.DryRun = form.Get("dryRun") == "true"
	var res firmware.DeployResult
	err := errs.Err()
	if err == nil {
		res, err = h.Firmware.Deploy(c.Request().Context(), actorOf(c), in)
	}
	if fe, ok := formErrors(c, err); ok {
		f.Errors = fe
		return h.deployPage(c, http.StatusUnprocessableEntity, f, nil)
	} else if err != nil {
		return err
	}
	if res.DryRun {
		return h.deployPage(c, http.StatusOK, f, &res)
	}
	flash(c, fmt.Sprintf("Deploying %s to %d devices.", in.Filename, res.Targeted))
	return seeOther(c, "/firmware/deployments/"+res.DeploymentID.String())
}

// deployInput reads the form into the API's input (numbers parsed here,
// everything else checked by the service).
func (h *Handler) deployInput(ctx context.Context, a actor.Actor, f fwview.DeployForm) (firmware.DeployInput, validation.Errors) {
	errs := validation.Errors{}
	in := firmware.DeployInput{OnlyOutdated: &f.OnlyOutdated, Halt: &firmware.Halt{}}
	if id, err := uuid.Parse(f.ImageID); err != nil {
		errs.Add("filename", "choose an image")
	} else if img, err := h.Firmware.Get(ctx, a, id); err != nil {
		errs.Add("filename", "choose an image of your library")
	} else {
		in.Filename, in.Model = img.Filename, img.ProductClass
	}
	for _, w := range strings.FieldsFunc(f.Waves, func(r rune) bool { return r == ',' || r == ' ' || r == '%' }) {
		n, err := strconv.Atoi(w)
		if err != nil {
			errs.Add("waves", "must be percentages separated by commas, e.g. 10, 50, 100")
			break
		}
		in.Waves = append(in.Waves, n)
	}
	number := func(field, v string, dst **int) {
		if strings.TrimSpace(v) == "" {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			errs.Add(field, "must be a whole number")
			return
		}
		*dst = &n
	}
	number("maxInFlight", f.MaxInFlight, &in.MaxInFlight)
	number("halt.failureRatePercent", f.FailureRate, &in.Halt.FailureRatePercent)
	number("halt.minDevices", f.MinDevices, &in.Halt.MinDevices)
	number("halt.offlineGraceMinutes", f.Grace, &in.Halt.OfflineGraceMinutes)
	if f.UseWindow {
		in.Window = &firmware.Window{Days: f.Days, From: f.From, To: f.To, Timezone: f.TZ}
	}
	return in, errs
}

// FirmwareDeployments lists deployments.
func (h *Handler) FirmwareDeployments(c echo.Context) error {
	a := actorOf(c)
	ds, err := h.Firmware.Deployments(c.Request().Context(), a, 50)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, fwview.List(Meta(c, "Firmware deployments", "firmware"),
		fwview.ListPage{Deployments: ds, CanDeploy: a.Can(actor.PermFirmwareDeploy)}))
}

func (h *Handler) deploymentDetail(c echo.Context) (fwview.DetailPage, error) {
	id, err := httperr.IDParam(c, "id")
	if err != nil {
		return fwview.DetailPage{}, err
	}
	a := actorOf(c)
	d, err := h.Firmware.GetDeployment(c.Request().Context(), a, id)
	if err != nil {
		return fwview.DetailPage{}, err
	}
	return fwview.DetailPage{D: d, CanDeploy: a.Can(actor.PermFirmwareDeploy), CSRF: middleware.CSRF(c)}, nil
}

// FirmwareDeploymentShow is one deployment's page.
func (h *Handler) FirmwareDeploymentShow(c echo.Context) error {
	p, err := h.deploymentDetail(c)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, fwview.Detail(Meta(c, "Deployment", "firmware"), p))
}

// FirmwareDeploymentProgress is the detail page's live part (htmx polls it).
func (h *Handler) FirmwareDeploymentProgress(c echo.Context) error {
	p, err := h.deploymentDetail(c)
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, fwview.Progress(p))
}

// FirmwareDeploymentAction pauses, resumes or cancels a deployment.
func (h *Handler) FirmwareDeploymentAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := httperr.IDParam(c, "id")
		if err != nil {
			return err
		}
		call := map[string]func(context.Context, actor.Actor, uuid.UUID) (firmware.Deployment, error){
			"pause": h.Firmware.Pause, "resume": h.Firmware.Resume, "cancel": h.Firmware.Cancel}[action]
		d, err := call(c.Request().Context(), actorOf(c), id)
		if err != nil {
			return err
		}
		flash(c, fmt.Sprintf("The deployment of %s is %s.", d.Filename, d.State))
		return seeOther(c, "/firmware/deployments/"+id.String())
	}
}
