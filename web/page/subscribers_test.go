package page_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/web/webtest"
)

func TestSubscribersPages(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	home := b.SeedPlan(t, "Home 10", "home-10")
	var bodies []string
	keep := func(p webtest.Page) webtest.Page { bodies = append(bodies, p.Body); return p }
	t.Cleanup(func() { b.NoSecrets(t, bodies...) })

	var aliceID string
	t.Run("AdminCreatesEditsSuspends", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		p := keep(br.Get("/subscribers"))
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, 1, p.TestID("subscribers-empty").Length())
		require.Equal(t, "/subscribers/new", p.TestID("subscriber-new").AttrOr("href", ""))

		p = keep(br.Get("/subscribers/new"))
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, "Home 10 (home-10)", p.TestID("in-plan").Find(`option[value="`+home.ID.String()+`"]`).Text())

		p = keep(br.Post("/subscribers", url.Values{"username": {"alice.w"}, "name": {"Alice W"}, "phone": {"+254 700 1"},
			"planId": {home.ID.String()}, "pppoeUsername": {"alice@isp"}, "pppoePassword": {webtest.PPP1}}))
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		loc := p.Header.Get("Location")
		require.True(t, strings.HasPrefix(loc, "/subscribers/"), loc)
		aliceID = strings.TrimPrefix(loc, "/subscribers/")

		p = keep(br.Get(loc))
		require.Contains(t, p.TestID("flash").Text(), "Added subscriber alice.w.")
		require.Equal(t, "alice.w", p.TestID("subscriber-title").Text())
		require.Equal(t, "set", p.TestID("pppoe-status").Text())
		require.Contains(t, p.TestID("pppoe-password-hint").Text(), "leave blank to keep the current password")
		pw := p.TestID("in-pppoe-password")
		require.Equal(t, 1, pw.Length())
		_, hasValue := pw.Attr("value")
		require.False(t, hasValue, "the password input is always empty")
		require.Equal(t, "alice@isp", p.TestID("in-pppoe-username").AttrOr("value", ""))
		require.Equal(t, "active", p.TestID("subscriber-status").Text())
		require.Equal(t, webtest.PPP1, b.PPPoEPassword(t, uuid.MustParse(aliceID)))

		p = keep(br.Get("/subscribers"))
		row := p.TestID("subscriber-row-alice.w")
		require.Equal(t, 1, row.Length())
		require.Equal(t, "Alice W", row.Find(`[data-testid="subscriber-name"]`).Text())
		require.Equal(t, "Home 10", strings.TrimSpace(row.Find(`[data-testid="subscriber-plan"]`).Text()))
		require.Equal(t, "active", row.Find(`[data-testid="subscriber-status"]`).Text())
		require.Equal(t, "set", row.Find(`[data-testid="pppoe-status"]`).Text())

		// Edit the name leaving the password blank: it is kept.
		br.Get(loc)
		p = keep(br.Post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "phone": {"+254 700 1"},
			"planId": {home.ID.String()}, "pppoeUsername": {"alice@isp"}, "pppoePassword": {""}}))
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		p = keep(br.Get(loc))
		require.Contains(t, p.TestID("flash").Text(), "Saved subscriber alice.w.")
		require.Equal(t, "Alice Wanjiru", p.TestID("in-name").AttrOr("value", ""))
		require.Equal(t, "set", p.TestID("pppoe-status").Text())
		require.Equal(t, webtest.PPP1, b.PPPoEPassword(t, uuid.MustParse(aliceID)), "kept")

		// A new password replaces it.
		p = keep(br.Post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "planId": {home.ID.String()},
			"pppoeUsername": {"alice@isp"}, "pppoePassword": {webtest.PPP2}}))
		require.Equal(t, http.StatusSeeOther, p.Status)
		require.Equal(t, webtest.PPP2, b.PPPoEPassword(t, uuid.MustParse(aliceID)))
		require.Equal(t, "set", keep(br.Get(loc)).TestID("pppoe-status").Text())

		// Suspend (plain form), then activate (htmx fragment).
		p = keep(br.Post(loc+"/suspend", nil))
		require.Equal(t, http.StatusSeeOther, p.Status)
		p = keep(br.Get(loc))
		require.Contains(t, p.TestID("flash").Text(), "Suspended alice.w.")
		require.Equal(t, "suspended", p.TestID("subscriber-status").Text())
		require.Equal(t, 1, p.TestID("subscriber-activate").Length())
		require.Zero(t, p.TestID("subscriber-suspend").Length())

		p = keep(br.HTMX(loc+"/activate", nil))
		require.Equal(t, http.StatusOK, p.Status)
		require.Equal(t, "active", p.TestID("subscriber-status").Text())
		require.Equal(t, 1, p.TestID("subscriber-suspend").Length())
		require.Zero(t, p.Doc.Find("nav").Length(), "a fragment, not a page")

		// Clearing removes the password.
		p = keep(br.Post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "pppoeUsername": {"alice@isp"}, "clearPppoePassword": {"true"}}))
		require.Equal(t, http.StatusSeeOther, p.Status)
		p = keep(br.Get(loc))
		require.Equal(t, "not set", p.TestID("pppoe-status").Text())
		require.Zero(t, p.TestID("in-clear-password").Length(), "nothing left to clear")
		require.Equal(t, "", b.PPPoEPassword(t, uuid.MustParse(aliceID)))
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.LoggedIn(t, b.AdminA)
		br.Get("/subscribers/new")
		p := keep(br.Post("/subscribers", url.Values{"username": {"bad name"}, "name": {"Bob"}, "phone": {"call me"},
			"planId": {uuid.NewString()}, "pppoePassword": {webtest.PPP1}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Contains(t, p.TestID("error-username").Text(), "printable ASCII")
		require.Contains(t, p.TestID("error-phone").Text(), "digits")
		require.Contains(t, p.TestID("error-pppoeUsername").Text(), "required")
		require.Equal(t, "true", p.TestID("in-username").AttrOr("aria-invalid", ""))
		require.Equal(t, "bad name", p.TestID("in-username").AttrOr("value", ""), "typed values are kept")
		require.Equal(t, "Bob", p.TestID("in-name").AttrOr("value", ""))
		_, hasValue := p.TestID("in-pppoe-password").Attr("value")
		require.False(t, hasValue, "the password is never sent back")

		p = keep(br.Post("/subscribers", url.Values{"username": {"carol"}, "planId": {uuid.NewString()}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "unknown plan", p.TestID("error-planId").Text())
		p = keep(br.Post("/subscribers", url.Values{"username": {"carol"}, "planId": {"not-a-uuid"}}))
		require.Equal(t, "unknown plan", p.TestID("error-planId").Text())

		b.SeedSubscriber(t, subscriber.Input{Username: "taken"})
		p = keep(br.Post("/subscribers", url.Values{"username": {"taken"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is already in use", p.TestID("error-username").Text())

		// The edit form too, with the subscriber's header still shown.
		p = keep(br.Post("/subscribers/"+aliceID, url.Values{"username": {"taken"}, "pppoePassword": {webtest.PPP2}, "pppoeUsername": {"a b"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "alice.w", p.TestID("subscriber-title").Text())
		require.NotEmpty(t, p.TestID("error-pppoeUsername").Text())
		p = keep(br.Post("/subscribers/"+aliceID, url.Values{"username": {"taken"}, "pppoeUsername": {"alice@isp"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.Equal(t, "is already in use", p.TestID("error-username").Text())
		svc, ctx := b.Catalog()
		s, err := svc.Get(ctx, testfactory.Actor(b.AdminA), uuid.MustParse(aliceID))
		require.NoError(t, err)
		require.Equal(t, "alice.w", s.Username, "nothing half-written")
	})

	t.Run("ViewerAndTechnicianOnlyRead", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.ViewerA.Email}, {"technician", b.TechA.Email}} {
			br := b.Browser(t)
			require.Equal(t, http.StatusSeeOther, br.Login(u.email, testfactory.Password).Status)
			p := keep(br.Get("/subscribers"))
			require.Equal(t, http.StatusOK, p.Status, u.name)
			require.Equal(t, 1, p.TestID("subscriber-row-alice.w").Length(), u.name)
			require.Zero(t, p.TestID("subscriber-new").Length(), "%s sees no add link", u.name)

			p = keep(br.Get("/subscribers/" + aliceID))
			require.Equal(t, http.StatusOK, p.Status)
			require.Equal(t, 1, p.TestID("subscriber-details").Length())
			require.Equal(t, "Alice Wanjiru", p.TestID("subscriber-name").Text())
			require.Zero(t, p.TestID("subscriber-form").Length(), "%s sees no edit form", u.name)
			require.Zero(t, p.TestID("subscriber-suspend").Length()+p.TestID("subscriber-activate").Length())

			p = keep(br.Get("/subscribers/new"))
			require.Equal(t, http.StatusForbidden, p.Status)
			require.Equal(t, 1, p.TestID("error-page").Length())
			br.Get("/subscribers")
			require.Equal(t, http.StatusForbidden, br.Post("/subscribers", url.Values{"username": {"by-" + u.name}}).Status)
			require.Equal(t, http.StatusForbidden, br.Post("/subscribers/"+aliceID, url.Values{"username": {"by-" + u.name}}).Status)
			require.Equal(t, http.StatusForbidden, br.Post("/subscribers/"+aliceID+"/suspend", nil).Status)
			require.Equal(t, http.StatusForbidden, br.Post("/subscribers/"+aliceID+"/activate", nil).Status)
			p = br.HTMX("/subscribers/"+aliceID+"/suspend", nil)
			require.Contains(t, p.TestID("error").Text(), "role does not allow")
		}
		svc, ctx := b.Catalog()
		s, err := svc.Get(ctx, testfactory.Actor(b.AdminA), uuid.MustParse(aliceID))
		require.NoError(t, err)
		require.Equal(t, "alice.w", s.Username)
		require.Equal(t, subscriber.StatusActive, s.Status)
	})

	t.Run("OtherOrganizationsSubscriberIs404", func(t *testing.T) {
		ob := b.LoggedIn(t, b.AdminB)
		p := keep(ob.Get("/subscribers"))
		require.Zero(t, p.TestID("subscriber-row-alice.w").Length())
		require.NotContains(t, p.Body, "alice.w")
		p = ob.Get("/subscribers/" + aliceID)
		require.Equal(t, http.StatusNotFound, p.Status)
		require.NotContains(t, p.Body, "alice.w")
		ob.Get("/subscribers")
		for _, path := range []string{"", "/suspend", "/activate"} {
			p := ob.Post("/subscribers/"+aliceID+path, url.Values{"username": {"stolen"}})
			require.Equal(t, http.StatusNotFound, p.Status, path)
			require.NotContains(t, p.Body, "alice.w")
		}
		require.Equal(t, http.StatusNotFound, ob.Get("/subscribers/not-a-uuid").Status)
		require.Equal(t, http.StatusNotFound, ob.Post("/subscribers/not-a-uuid/suspend", nil).Status)
		p = ob.Post("/subscribers", url.Values{"username": {"beta-sub"}, "planId": {home.ID.String()}})
		require.Equal(t, http.StatusUnprocessableEntity, p.Status, "acme's plan is not beta's")
		require.Equal(t, "unknown plan", p.TestID("error-planId").Text())
		require.NotContains(t, p.Body, "Home 10")
	})

	t.Run("SearchFilterAndKeysetPaging", func(t *testing.T) {
		for i := range 60 {
			b.SeedSubscriber(t, subscriber.Input{Username: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("Paged %d", i)})
		}
		svc, ctx := b.Catalog()
		s, err := svc.GetByUsername(ctx, testfactory.Actor(b.AdminA), "p07")
		require.NoError(t, err)
		_, err = svc.SetStatus(ctx, testfactory.Actor(b.AdminA), s.ID, subscriber.StatusSuspended)
		require.NoError(t, err)

		br := b.LoggedIn(t, b.ViewerA)
		p := keep(br.Get("/subscribers"))
		rows := p.TestID("subscribers-table").Find("tbody tr")
		require.Equal(t, 50, rows.Length())
		require.Zero(t, p.TestID("subscribers-first").Length())
		next := p.TestID("subscribers-next").AttrOr("href", "")
		require.NotEmpty(t, next)
		p = keep(br.Get(next))
		rows2 := p.TestID("subscribers-table").Find("tbody tr")
		require.Equal(t, 62-50, rows2.Length(), "alice.w, taken and 60 p.. subscribers, less the first page")
		require.Zero(t, p.TestID("subscribers-next").Length(), "the last page")
		require.Equal(t, "/subscribers", p.TestID("subscribers-first").AttrOr("href", ""))
		first, _ := rows.First().Attr("data-testid")
		last, _ := rows2.Last().Attr("data-testid")
		require.Equal(t, "subscriber-row-alice.w", first)
		require.Equal(t, "subscriber-row-taken", last)

		p = keep(br.Get("/subscribers?q=p0"))
		require.Equal(t, 10, p.TestID("subscribers-table").Find("tbody tr").Length())
		require.Equal(t, "p0", p.TestID("search-q").AttrOr("value", ""))
		p = keep(br.Get("/subscribers?q=PAGED+5"))
		require.Equal(t, 11, p.TestID("subscribers-table").Find("tbody tr").Length(), "Paged 5 and Paged 50..59")
		p = keep(br.Get("/subscribers?status=suspended"))
		require.Equal(t, 1, p.TestID("subscribers-table").Find("tbody tr").Length())
		require.Equal(t, 1, p.TestID("subscriber-row-p07").Length())
		p = keep(br.Get("/subscribers?status=gone"))
		require.Equal(t, http.StatusUnprocessableEntity, p.Status)
		require.NotEmpty(t, p.TestID("error-status").Text())
		p = keep(br.Get("/subscribers?q=zzz-nobody"))
		require.Equal(t, 1, p.TestID("subscribers-empty").Length())
	})
}

// A subscriber's page lists the devices assigned to them.
func TestSubscriberPageListsDevices(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	s := b.SeedSubscriber(t, subscriber.Input{Username: "wanjiru", Name: "Wanjiru K"})
	other := b.SeedSubscriber(t, subscriber.Input{Username: "wanjiru2", Name: "Another"})
	testfactory.Device(context.Background(), t, b.Pool, &b.OrgA, "HWTC0000SUB1", &s.ID)
	testfactory.Device(context.Background(), t, b.Pool, &b.OrgA, "HWTC0000SUB2", &other.ID)
	br := b.LoggedIn(t, b.ViewerA)
	p := br.Get("/subscribers/" + s.ID.String())
	require.Equal(t, http.StatusOK, p.Status)
	require.Equal(t, 1, p.TestID("subscriber-device").Length(), "only hers, not wanjiru2's")
	require.Contains(t, p.TestID("subscriber-device").Text(), "HWTC0000SUB1")
	p = br.Get("/subscribers/" + other.ID.String())
	require.Contains(t, p.TestID("subscriber-device").Text(), "HWTC0000SUB2")
}
