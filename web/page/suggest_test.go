package page_test

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/web/webtest"
)

// TestSubscriberSuggestions: the assign field suggests the organization's
// subscribers by username prefix, name or phone, for any staff role; never
// another organization's; nothing for an empty field.
func TestSubscriberSuggestions(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	plan := b.SeedPlan(t, "Home 20", "home-20")
	for _, in := range []subscriber.Input{
		{Username: "wanjiru", Name: "Wanjiru Kamau", Phone: "+254700111222", PlanID: &plan.ID},
		{Username: "wambui", Name: "Wambui Njeri"},
		{Username: "otieno", Name: "Otieno Wanjiru"},
	} {
		b.SeedSubscriber(t, in)
	}
	options := func(p webtest.Page) []string {
		t.Helper()
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		return p.Doc.Find(`#subscriber-options option`).Map(func(_ int, s *goquery.Selection) string {
			return s.AttrOr("value", "") + " | " + s.Text()
		})
	}
	viewer := b.LoggedIn(t, b.ViewerA)
	require.Equal(t, []string{"otieno | Otieno Wanjiru", "wambui | Wambui Njeri", "wanjiru | Wanjiru Kamau · Home 20"}, options(viewer.Get("/subscribers/suggest?subscriber=wa")), "a username starting with it, or a name holding it")
	require.Equal(t, []string{"otieno | Otieno Wanjiru", "wanjiru | Wanjiru Kamau · Home 20"}, options(viewer.Get("/subscribers/suggest?subscriber=Wanjiru")), "by name too")
	require.Equal(t, []string{"wanjiru | Wanjiru Kamau · Home 20"}, options(viewer.Get("/subscribers/suggest?subscriber=700111")), "by phone")
	require.Empty(t, options(viewer.Get("/subscribers/suggest?subscriber=")))
	require.Empty(t, options(b.LoggedIn(t, b.AdminB).Get("/subscribers/suggest?subscriber=wa")), "never another organization's")
	require.Equal(t, http.StatusUnprocessableEntity, viewer.Get("/subscribers/suggest?subscriber=wa%00").Status)
	require.Equal(t, http.StatusSeeOther, b.Browser(t).Get("/subscribers/suggest?subscriber=wa").Status, "staff only")

	// The device page's field asks for them as one types.
	dev := b.Device(t, "HWTC0000C0C1", false)
	p := b.LoggedIn(t, b.AdminA).Get("/devices/" + dev.String())
	in := p.TestID("assign-subscriber")
	require.Equal(t, "/subscribers/suggest", in.AttrOr("hx-get", ""))
	require.Equal(t, "subscriber-options", in.AttrOr("list", ""))
	require.Equal(t, 1, p.Doc.Find("datalist#subscriber-options").Length())
}
