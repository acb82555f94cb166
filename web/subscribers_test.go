package web_test

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
)

// ppp1 and ppp2 are PPPoE passwords that must never show up in a page,
// a JSON body or a log line.
const (
	ppp1 = "Xk9-ppp-secret-one"
	ppp2 = "Xk9-ppp-secret-two"
)

// catalog is the subscriber service as org A's admin, for fixtures.
func (b *testBundle) catalog() (*subscriber.Service, context.Context) {
	return subscriber.NewService(b.pool, b.box), context.Background()
}

func (b *testBundle) seedPlan(t *testing.T, name, group string) subscriber.Plan {
	t.Helper()
	svc, ctx := b.catalog()
	p, err := svc.CreatePlan(ctx, testfactory.Actor(b.adminA), subscriber.PlanInput{Name: name, Group: group})
	require.NoError(t, err)
	return p
}

func (b *testBundle) seedSubscriber(t *testing.T, in subscriber.Input) subscriber.Subscriber {
	t.Helper()
	svc, ctx := b.catalog()
	s, err := svc.Create(ctx, testfactory.Actor(b.adminA), in)
	require.NoError(t, err)
	return s
}

func (b *testBundle) pppoePassword(t *testing.T, id uuid.UUID) string {
	t.Helper()
	svc, ctx := b.catalog()
	c, err := svc.Credentials(ctx, b.pool, b.orgA.ID, id)
	require.NoError(t, err)
	return c.PPPoEPassword
}

// noSecrets fails if a PPPoE password appears in any of the bodies or in
// the server's log.
func (b *testBundle) noSecrets(t *testing.T, bodies ...string) {
	t.Helper()
	for _, pw := range []string{ppp1, ppp2} {
		for i, body := range bodies {
			require.NotContains(t, body, pw, "body %d", i)
		}
		require.NotContains(t, b.logs.String(), pw, "server log")
	}
}

func TestSubscribersPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	home := b.seedPlan(t, "Home 10", "home-10")
	var bodies []string
	keep := func(p page) page { bodies = append(bodies, p.body); return p }
	t.Cleanup(func() { b.noSecrets(t, bodies...) })

	var aliceID string
	t.Run("AdminCreatesEditsSuspends", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		p := keep(br.get("/subscribers"))
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, 1, p.testid("subscribers-empty").Length())
		require.Equal(t, "/subscribers/new", p.testid("subscriber-new").AttrOr("href", ""))

		p = keep(br.get("/subscribers/new"))
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, "Home 10 (home-10)", p.testid("in-plan").Find(`option[value="`+home.ID.String()+`"]`).Text())

		p = keep(br.post("/subscribers", url.Values{"username": {"alice.w"}, "name": {"Alice W"}, "phone": {"+254 700 1"},
			"planId": {home.ID.String()}, "pppoeUsername": {"alice@isp"}, "pppoePassword": {ppp1}}))
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		loc := p.header.Get("Location")
		require.True(t, strings.HasPrefix(loc, "/subscribers/"), loc)
		aliceID = strings.TrimPrefix(loc, "/subscribers/")

		p = keep(br.get(loc))
		require.Contains(t, p.testid("flash").Text(), "Added subscriber alice.w.")
		require.Equal(t, "alice.w", p.testid("subscriber-title").Text())
		require.Equal(t, "set", p.testid("pppoe-status").Text())
		require.Contains(t, p.testid("pppoe-password-hint").Text(), "leave blank to keep the current password")
		pw := p.testid("in-pppoe-password")
		require.Equal(t, 1, pw.Length())
		_, hasValue := pw.Attr("value")
		require.False(t, hasValue, "the password input is always empty")
		require.Equal(t, "alice@isp", p.testid("in-pppoe-username").AttrOr("value", ""))
		require.Equal(t, "active", p.testid("subscriber-status").Text())
		require.Equal(t, ppp1, b.pppoePassword(t, uuid.MustParse(aliceID)))

		p = keep(br.get("/subscribers"))
		row := p.testid("subscriber-row-alice.w")
		require.Equal(t, 1, row.Length())
		require.Equal(t, "Alice W", row.Find(`[data-testid="subscriber-name"]`).Text())
		require.Equal(t, "Home 10", strings.TrimSpace(row.Find(`[data-testid="subscriber-plan"]`).Text()))
		require.Equal(t, "active", row.Find(`[data-testid="subscriber-status"]`).Text())
		require.Equal(t, "set", row.Find(`[data-testid="pppoe-status"]`).Text())

		// Edit the name leaving the password blank: it is kept.
		br.get(loc)
		p = keep(br.post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "phone": {"+254 700 1"},
			"planId": {home.ID.String()}, "pppoeUsername": {"alice@isp"}, "pppoePassword": {""}}))
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		p = keep(br.get(loc))
		require.Contains(t, p.testid("flash").Text(), "Saved subscriber alice.w.")
		require.Equal(t, "Alice Wanjiru", p.testid("in-name").AttrOr("value", ""))
		require.Equal(t, "set", p.testid("pppoe-status").Text())
		require.Equal(t, ppp1, b.pppoePassword(t, uuid.MustParse(aliceID)), "kept")

		// A new password replaces it.
		p = keep(br.post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "planId": {home.ID.String()},
			"pppoeUsername": {"alice@isp"}, "pppoePassword": {ppp2}}))
		require.Equal(t, http.StatusSeeOther, p.status)
		require.Equal(t, ppp2, b.pppoePassword(t, uuid.MustParse(aliceID)))
		require.Equal(t, "set", keep(br.get(loc)).testid("pppoe-status").Text())

		// Suspend (plain form), then activate (htmx fragment).
		p = keep(br.post(loc+"/suspend", nil))
		require.Equal(t, http.StatusSeeOther, p.status)
		p = keep(br.get(loc))
		require.Contains(t, p.testid("flash").Text(), "Suspended alice.w.")
		require.Equal(t, "suspended", p.testid("subscriber-status").Text())
		require.Equal(t, 1, p.testid("subscriber-activate").Length())
		require.Zero(t, p.testid("subscriber-suspend").Length())

		p = keep(br.htmx(loc+"/activate", nil))
		require.Equal(t, http.StatusOK, p.status)
		require.Equal(t, "active", p.testid("subscriber-status").Text())
		require.Equal(t, 1, p.testid("subscriber-suspend").Length())
		require.Zero(t, p.doc.Find("nav").Length(), "a fragment, not a page")

		// Clearing removes the password.
		p = keep(br.post(loc, url.Values{"username": {"alice.w"}, "name": {"Alice Wanjiru"}, "pppoeUsername": {"alice@isp"}, "clearPppoePassword": {"true"}}))
		require.Equal(t, http.StatusSeeOther, p.status)
		p = keep(br.get(loc))
		require.Equal(t, "not set", p.testid("pppoe-status").Text())
		require.Zero(t, p.testid("in-clear-password").Length(), "nothing left to clear")
		require.Equal(t, "", b.pppoePassword(t, uuid.MustParse(aliceID)))
	})

	t.Run("BadInputReRendersWithMessages", func(t *testing.T) {
		br := b.loggedIn(t, b.adminA)
		br.get("/subscribers/new")
		p := keep(br.post("/subscribers", url.Values{"username": {"bad name"}, "name": {"Bob"}, "phone": {"call me"},
			"planId": {uuid.NewString()}, "pppoePassword": {ppp1}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Contains(t, p.testid("error-username").Text(), "printable ASCII")
		require.Contains(t, p.testid("error-phone").Text(), "digits")
		require.Contains(t, p.testid("error-pppoeUsername").Text(), "required")
		require.Equal(t, "true", p.testid("in-username").AttrOr("aria-invalid", ""))
		require.Equal(t, "bad name", p.testid("in-username").AttrOr("value", ""), "typed values are kept")
		require.Equal(t, "Bob", p.testid("in-name").AttrOr("value", ""))
		_, hasValue := p.testid("in-pppoe-password").Attr("value")
		require.False(t, hasValue, "the password is never sent back")

		p = keep(br.post("/subscribers", url.Values{"username": {"carol"}, "planId": {uuid.NewString()}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "unknown plan", p.testid("error-planId").Text())
		p = keep(br.post("/subscribers", url.Values{"username": {"carol"}, "planId": {"not-a-uuid"}}))
		require.Equal(t, "unknown plan", p.testid("error-planId").Text())

		b.seedSubscriber(t, subscriber.Input{Username: "taken"})
		p = keep(br.post("/subscribers", url.Values{"username": {"taken"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is already in use", p.testid("error-username").Text())

		// The edit form too, with the subscriber's header still shown.
		p = keep(br.post("/subscribers/"+aliceID, url.Values{"username": {"taken"}, "pppoePassword": {ppp2}, "pppoeUsername": {"a b"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "alice.w", p.testid("subscriber-title").Text())
		require.NotEmpty(t, p.testid("error-pppoeUsername").Text())
		p = keep(br.post("/subscribers/"+aliceID, url.Values{"username": {"taken"}, "pppoeUsername": {"alice@isp"}}))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.Equal(t, "is already in use", p.testid("error-username").Text())
		svc, ctx := b.catalog()
		s, err := svc.Get(ctx, testfactory.Actor(b.adminA), uuid.MustParse(aliceID))
		require.NoError(t, err)
		require.Equal(t, "alice.w", s.Username, "nothing half-written")
	})

	t.Run("ViewerAndTechnicianOnlyRead", func(t *testing.T) {
		for _, u := range []struct{ name, email string }{{"viewer", b.viewerA.Email}, {"technician", b.techA.Email}} {
			br := b.browser(t)
			require.Equal(t, http.StatusSeeOther, br.login(u.email, testfactory.Password).status)
			p := keep(br.get("/subscribers"))
			require.Equal(t, http.StatusOK, p.status, u.name)
			require.Equal(t, 1, p.testid("subscriber-row-alice.w").Length(), u.name)
			require.Zero(t, p.testid("subscriber-new").Length(), "%s sees no add link", u.name)

			p = keep(br.get("/subscribers/" + aliceID))
			require.Equal(t, http.StatusOK, p.status)
			require.Equal(t, 1, p.testid("subscriber-details").Length())
			require.Equal(t, "Alice Wanjiru", p.testid("subscriber-name").Text())
			require.Zero(t, p.testid("subscriber-form").Length(), "%s sees no edit form", u.name)
			require.Zero(t, p.testid("subscriber-suspend").Length()+p.testid("subscriber-activate").Length())

			p = keep(br.get("/subscribers/new"))
			require.Equal(t, http.StatusForbidden, p.status)
			require.Equal(t, 1, p.testid("error-page").Length())
			br.get("/subscribers")
			require.Equal(t, http.StatusForbidden, br.post("/subscribers", url.Values{"username": {"by-" + u.name}}).status)
			require.Equal(t, http.StatusForbidden, br.post("/subscribers/"+aliceID, url.Values{"username": {"by-" + u.name}}).status)
			require.Equal(t, http.StatusForbidden, br.post("/subscribers/"+aliceID+"/suspend", nil).status)
			require.Equal(t, http.StatusForbidden, br.post("/subscribers/"+aliceID+"/activate", nil).status)
			p = br.htmx("/subscribers/"+aliceID+"/suspend", nil)
			require.Contains(t, p.testid("error").Text(), "role does not allow")
		}
		svc, ctx := b.catalog()
		s, err := svc.Get(ctx, testfactory.Actor(b.adminA), uuid.MustParse(aliceID))
		require.NoError(t, err)
		require.Equal(t, "alice.w", s.Username)
		require.Equal(t, subscriber.StatusActive, s.Status)
	})

	t.Run("OtherOrganizationsSubscriberIs404", func(t *testing.T) {
		ob := b.loggedIn(t, b.adminB)
		p := keep(ob.get("/subscribers"))
		require.Zero(t, p.testid("subscriber-row-alice.w").Length())
		require.NotContains(t, p.body, "alice.w")
		p = ob.get("/subscribers/" + aliceID)
		require.Equal(t, http.StatusNotFound, p.status)
		require.NotContains(t, p.body, "alice.w")
		ob.get("/subscribers")
		for _, path := range []string{"", "/suspend", "/activate"} {
			p := ob.post("/subscribers/"+aliceID+path, url.Values{"username": {"stolen"}})
			require.Equal(t, http.StatusNotFound, p.status, path)
			require.NotContains(t, p.body, "alice.w")
		}
		require.Equal(t, http.StatusNotFound, ob.get("/subscribers/not-a-uuid").status)
		require.Equal(t, http.StatusNotFound, ob.post("/subscribers/not-a-uuid/suspend", nil).status)
		p = ob.post("/subscribers", url.Values{"username": {"beta-sub"}, "planId": {home.ID.String()}})
		require.Equal(t, http.StatusUnprocessableEntity, p.status, "acme's plan is not beta's")
		require.Equal(t, "unknown plan", p.testid("error-planId").Text())
		require.NotContains(t, p.body, "Home 10")
	})

	t.Run("SearchFilterAndKeysetPaging", func(t *testing.T) {
		for i := range 60 {
			b.seedSubscriber(t, subscriber.Input{Username: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("Paged %d", i)})
		}
		svc, ctx := b.catalog()
		s, err := svc.GetByUsername(ctx, testfactory.Actor(b.adminA), "p07")
		require.NoError(t, err)
		_, err = svc.SetStatus(ctx, testfactory.Actor(b.adminA), s.ID, subscriber.StatusSuspended)
		require.NoError(t, err)

		br := b.loggedIn(t, b.viewerA)
		p := keep(br.get("/subscribers"))
		rows := p.testid("subscribers-table").Find("tbody tr")
		require.Equal(t, 50, rows.Length())
		require.Zero(t, p.testid("subscribers-first").Length())
		next := p.testid("subscribers-next").AttrOr("href", "")
		require.NotEmpty(t, next)
		p = keep(br.get(next))
		rows2 := p.testid("subscribers-table").Find("tbody tr")
		require.Equal(t, 62-50, rows2.Length(), "alice.w, taken and 60 p.. subscribers, less the first page")
		require.Zero(t, p.testid("subscribers-next").Length(), "the last page")
		require.Equal(t, "/subscribers", p.testid("subscribers-first").AttrOr("href", ""))
		first, _ := rows.First().Attr("data-testid")
		last, _ := rows2.Last().Attr("data-testid")
		require.Equal(t, "subscriber-row-alice.w", first)
		require.Equal(t, "subscriber-row-taken", last)

		p = keep(br.get("/subscribers?q=p0"))
		require.Equal(t, 10, p.testid("subscribers-table").Find("tbody tr").Length())
		require.Equal(t, "p0", p.testid("search-q").AttrOr("value", ""))
		p = keep(br.get("/subscribers?q=PAGED+5"))
		require.Equal(t, 11, p.testid("subscribers-table").Find("tbody tr").Length(), "Paged 5 and Paged 50..59")
		p = keep(br.get("/subscribers?status=suspended"))
		require.Equal(t, 1, p.testid("subscribers-table").Find("tbody tr").Length())
		require.Equal(t, 1, p.testid("subscriber-row-p07").Length())
		p = keep(br.get("/subscribers?status=gone"))
		require.Equal(t, http.StatusUnprocessableEntity, p.status)
		require.NotEmpty(t, p.testid("error-status").Text())
		p = keep(br.get("/subscribers?q=zzz-nobody"))
		require.Equal(t, 1, p.testid("subscribers-empty").Length())
	})
}

func TestSubscribersAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	home := b.seedPlan(t, "Home 10", "home-10")
	var bodies []string
	call := func(method, path, key, body string) apiResp {
		t.Helper()
		r := b.api(t, method, path, key, body)
		bodies = append(bodies, r.raw)
		return r
	}
	t.Cleanup(func() { b.noSecrets(t, bodies...) })

	r := call(http.MethodPost, "/cpe/subscribers", b.keyA, fmt.Sprintf(
		`{"username":"bob","name":"Bob K","phone":"0700 1","planId":%q,"pppoeUsername":"bob@isp","pppoePassword":%q}`, home.ID, ppp1))
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, "bob", r.body["username"])
	require.Equal(t, "Home 10", r.body["planName"])
	require.Equal(t, "home-10", r.body["planGroup"])
	require.Equal(t, true, r.body["hasPppoePassword"])
	require.NotContains(t, r.body, "pppoePassword")
	require.Equal(t, ppp1, b.pppoePassword(t, uuid.MustParse(id)))

	t.Run("ReadAndList", func(t *testing.T) {
		r := call(http.MethodGet, "/cpe/subscribers/"+id, b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "Bob K", r.body["name"])
		r = call(http.MethodGet, "/cpe/subscribers?q=bo&status=active&limit=10", b.keyViewerA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Len(t, r.items(), 1)
		require.NotContains(t, r.body, "next")
		r = call(http.MethodGet, "/cpe/subscribers?status=suspended", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, []any{}, r.body["items"], "an empty page is [], not null")
	})
	t.Run("KeysetPaging", func(t *testing.T) {
		for i := range 5 {
			b.seedSubscriber(t, subscriber.Input{Username: fmt.Sprintf("k%d", i)})
		}
		var got []string
		path := "/cpe/subscribers?limit=2"
		for range 10 {
			r := call(http.MethodGet, path, b.keyA, "")
			require.Equal(t, http.StatusOK, r.status)
			for _, it := range r.items() {
				got = append(got, it.(map[string]any)["username"].(string))
			}
			next, _ := r.body["next"].(string)
			if next == "" {
				break
			}
			path = "/cpe/subscribers?limit=2&after=" + url.QueryEscape(next)
		}
		require.Equal(t, []string{"bob", "k0", "k1", "k2", "k3", "k4"}, got)
	})
	t.Run("UpdateKeepsOrReplacesThePassword", func(t *testing.T) {
		r := call(http.MethodPut, "/cpe/subscribers/"+id, b.keyA, `{"username":"bob","name":"Bob Kamau","pppoeUsername":"bob@isp"}`)
		require.Equal(t, http.StatusOK, r.status, r.raw)
		require.Equal(t, "Bob Kamau", r.body["name"])
		require.Nil(t, r.body["planId"], "PUT replaces: no planId, no plan")
		require.Equal(t, true, r.body["hasPppoePassword"])
		require.Equal(t, ppp1, b.pppoePassword(t, uuid.MustParse(id)))

		r = call(http.MethodPut, "/cpe/subscribers/"+id, b.keyA, fmt.Sprintf(`{"username":"bob","pppoeUsername":"bob@isp","pppoePassword":%q}`, ppp2))
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, ppp2, b.pppoePassword(t, uuid.MustParse(id)))

		r = call(http.MethodPut, "/cpe/subscribers/"+id, b.keyA, `{"username":"bob","pppoeUsername":"bob@isp","clearPppoePassword":true}`)
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, false, r.body["hasPppoePassword"])
	})
	t.Run("SuspendAndActivate", func(t *testing.T) {
		r := call(http.MethodPost, "/cpe/subscribers/"+id+"/suspend", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "suspended", r.body["status"])
		r = call(http.MethodPost, "/cpe/subscribers/"+id+"/activate", b.keyA, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "active", r.body["status"])
	})
	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			name, method, path, body string
			status                   int
			code                     string
		}{
			{"NotJSON", http.MethodPost, "/cpe/subscribers", `{"username":`, 400, "bad_json"},
			{"Empty", http.MethodPost, "/cpe/subscribers", ``, 400, "bad_json"},
			{"UnknownField", http.MethodPost, "/cpe/subscribers", `{"username":"x","password":"y"}`, 400, "bad_json"},
			{"WrongType", http.MethodPut, "/cpe/subscribers/" + id, `{"username":7}`, 400, "bad_json"},
			{"BadPlanID", http.MethodPost, "/cpe/subscribers", `{"username":"x","planId":"nope"}`, 400, "bad_json"},
			{"Invalid", http.MethodPost, "/cpe/subscribers", `{"username":"a b","phone":"x","pppoePassword":"` + ppp1 + `"}`, 422, "invalid"},
			{"Duplicate", http.MethodPost, "/cpe/subscribers", `{"username":"bob"}`, 422, "invalid"},
			{"BadStatus", http.MethodGet, "/cpe/subscribers?status=gone", ``, 422, "invalid"},
			{"BadLimit", http.MethodGet, "/cpe/subscribers?limit=lots", ``, 400, "bad_query"},
			{"LimitTooHigh", http.MethodGet, "/cpe/subscribers?limit=500", ``, 422, "invalid"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := call(tc.method, tc.path, b.keyA, tc.body)
				require.Equal(t, tc.status, r.status, r.raw)
				require.Equal(t, tc.code, r.errCode())
			})
		}
		r := call(http.MethodPost, "/cpe/subscribers", b.keyA, `{"username":"a b","phone":"x","pppoePassword":"`+ppp1+`"}`)
		require.Contains(t, r.errFields(), "username")
		require.Contains(t, r.errFields(), "phone")
		require.Contains(t, r.errFields(), "pppoeUsername")
		r = call(http.MethodPost, "/cpe/subscribers", b.keyA, `{"username":"bob"}`)
		require.Equal(t, "is already in use", r.errFields()["username"])
		r = call(http.MethodPost, "/cpe/subscribers", b.keyA, `{"username":"zed","planId":"`+uuid.NewString()+`"}`)
		require.Equal(t, "unknown plan", r.errFields()["planId"])
	})
	t.Run("WrongRole", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodPost, "/cpe/subscribers", `{"username":"v"}`},
			{http.MethodPut, "/cpe/subscribers/" + id, `{"username":"v"}`},
			{http.MethodPost, "/cpe/subscribers/" + id + "/suspend", ""},
			{http.MethodPost, "/cpe/subscribers/" + id + "/activate", ""},
		} {
			r := call(c.method, c.path, b.keyViewerA, c.body)
			require.Equal(t, http.StatusForbidden, r.status, "%s %s", c.method, c.path)
			require.Equal(t, "forbidden", r.errCode())
		}
		r := call(http.MethodGet, "/cpe/subscribers/"+id, b.keyA, "")
		require.Equal(t, "bob", r.body["username"], "unchanged")
	})
	t.Run("OtherOrganizationIs404", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodGet, "/cpe/subscribers/" + id, ""},
			{http.MethodPut, "/cpe/subscribers/" + id, `{"username":"stolen"}`},
			{http.MethodPost, "/cpe/subscribers/" + id + "/suspend", ""},
			{http.MethodPost, "/cpe/subscribers/" + id + "/activate", ""},
			{http.MethodGet, "/cpe/subscribers/not-a-uuid", ""},
		} {
			r := call(c.method, c.path, b.keyB, c.body)
			require.Equal(t, http.StatusNotFound, r.status, "%s %s", c.method, c.path)
			require.Equal(t, "not_found", r.errCode())
			require.NotContains(t, r.raw, "bob")
		}
		r := call(http.MethodGet, "/cpe/subscribers", b.keyB, "")
		require.Equal(t, http.StatusOK, r.status)
		require.Empty(t, r.items())
		r = call(http.MethodPost, "/cpe/subscribers", b.keyB, `{"username":"bob","planId":"`+home.ID.String()+`"}`)
		require.Equal(t, "unknown plan", r.errFields()["planId"], "acme's plan is not beta's")
		r = call(http.MethodPost, "/cpe/subscribers", b.keyB, `{"username":"bob"}`)
		require.Equal(t, http.StatusCreated, r.status, "beta may have its own bob")
	})
}
