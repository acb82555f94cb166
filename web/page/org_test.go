package page_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestOrganizationTimeZone: an organization's first sign-in takes the
// browser's time zone and pages show times in it (UTC on hover); an admin
// changes it (a bad name is refused on the field); later sign-ins never
// change it; viewers read it; another organization keeps its own.
func TestOrganizationTimeZone(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	signIn := func(email, tz string) *webtest.Browser {
		t.Helper()
		br := b.Browser(t)
		br.Get("/login")
		p := br.Post("/login", url.Values{"email": {email}, "password": {testfactory.Password}, "tz": {tz}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		br.Get("/")
		return br
	}
	zone := func(br *webtest.Browser) string {
		t.Helper()
		p := br.Get("/settings/organization")
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		return strings.TrimSpace(p.TestID("org-time-zone").Text())
	}
	admin := signIn(b.AdminA.Email, "Africa/Nairobi")
	require.Contains(t, zone(admin), "Africa/Nairobi")
	// Times on a page: East Africa Time, UTC on hover.
	p := admin.Get("/audit")
	created := p.Doc.Find("main time").First()
	require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d EAT$`, created.Text())
	require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`, created.AttrOr("title", ""))

	signIn(b.TechA.Email, "America/New_York")
	require.Contains(t, zone(admin), "Africa/Nairobi", "only the first sign-in names it")

	r := admin.Post("/settings/organization", url.Values{"timeZone": {"Mars/Olympus"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "must be an IANA time zone such as Africa/Nairobi", strings.TrimSpace(r.TestID("error-timeZone").Text()))
	require.Equal(t, "Mars/Olympus", r.TestID("org-tz").AttrOr("value", ""), "what was typed is kept")
	r = admin.Post("/settings/organization", url.Values{"timeZone": {"Africa/Lagos"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, zone(admin), "Africa/Lagos")
	require.Regexp(t, ` WAT$`, admin.Get("/audit").Doc.Find("main time").First().Text())
	require.Equal(t, 1, b.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'org.time_zone' AND summary LIKE '%Africa/Lagos'`))

	viewer := b.LoggedIn(t, b.ViewerA)
	v := viewer.Get("/settings/organization")
	require.Equal(t, http.StatusOK, v.Status)
	require.Zero(t, v.TestID("org-form").Length(), "viewers read it")
	require.Equal(t, http.StatusForbidden, viewer.Post("/settings/organization", url.Values{"timeZone": {"UTC"}}).Status)
	require.Contains(t, zone(admin), "Africa/Lagos")

	require.Contains(t, zone(b.LoggedIn(t, b.AdminB)), "not set: times show in UTC", "beta's first sign-in sent no zone")

	// Optical thresholds.
	require.Equal(t, "-27", admin.Get("/settings/organization").TestID("org-opticalWeakDbm").AttrOr("value", ""))
	r = admin.Post("/settings/organization/optical", url.Values{"opticalWeakDbm": {"-25"}, "opticalCriticalDbm": {"-24"}, "opticalOverloadDbm": {"-8"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "must be below the weak threshold", strings.TrimSpace(r.TestID("error-opticalCriticalDbm").Text()))
	require.Equal(t, "-24", r.TestID("org-opticalCriticalDbm").AttrOr("value", ""), "what was typed is kept")
	r = admin.Post("/settings/organization/optical", url.Values{"opticalWeakDbm": {"lots"}, "opticalCriticalDbm": {"-30"}, "opticalOverloadDbm": {"-8"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "must be a number of dBm, such as -27", strings.TrimSpace(r.TestID("error-opticalWeakDbm").Text()))
	r = admin.Post("/settings/organization/optical", url.Values{"opticalWeakDbm": {"-25.5"}, "opticalCriticalDbm": {"-29"}, "opticalOverloadDbm": {"-7"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "-25.5", admin.Get("/settings/organization").TestID("org-opticalWeakDbm").AttrOr("value", ""))
	require.Contains(t, viewer.Get("/settings/organization").TestID("optical-thresholds").Text(), "weak below -25.50 dBm")
	require.Equal(t, http.StatusForbidden, viewer.Post("/settings/organization/optical", url.Values{"opticalWeakDbm": {"-25"}, "opticalCriticalDbm": {"-30"}, "opticalOverloadDbm": {"-8"}}).Status)
}
