package webtest

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/testfactory"
	"github.com/fyberpay/cpe/internal/user"
)

// Browser is a cookie-keeping client that does not follow redirects and
// remembers the CSRF token of the last page it read.
type Browser struct {
	T      testing.TB   // failed by the browser's requests (see In)
	Client *http.Client // keeps the cookies
	Base   string       // the server's URL
	CSRF   string       // the token of the last form read
}

// Browser returns a new browser on the server, failing t.
func (b *Bundle) Browser(t testing.TB) *Browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Browser{T: t, Base: b.Srv.URL, Client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Page is a response read as HTML.
type Page struct {
	Status int
	Header http.Header
	Doc    *goquery.Document
	Body   string
}

// TestID finds elements by data-testid.
func (p Page) TestID(id string) *goquery.Selection { return p.Doc.Find(`[data-testid="` + id + `"]`) }

// Do sends req with the browser's cookies and reads the answer as a page.
func (br *Browser) Do(req *http.Request) Page {
	br.T.Helper()
	resp, err := br.Client.Do(req)
	require.NoError(br.T, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(br.T, err)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	require.NoError(br.T, err)
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		br.CSRF = tok
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Doc: doc, Body: string(raw)}
}

// Get opens path.
func (br *Browser) Get(path string) Page {
	br.T.Helper()
	req, err := http.NewRequest(http.MethodGet, br.Base+path, nil)
	require.NoError(br.T, err)
	return br.Do(req)
}

// Post submits a form with the remembered CSRF token.
func (br *Browser) Post(path string, form url.Values) Page {
	br.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" && br.CSRF != "" {
		form.Set("_csrf", br.CSRF)
	}
	return br.PostRaw(path, form, nil)
}

// PostRaw submits form as it is (no token added) with extra headers.
func (br *Browser) PostRaw(path string, form url.Values, header http.Header) Page {
	br.T.Helper()
	req, err := http.NewRequest(http.MethodPost, br.Base+path, strings.NewReader(form.Encode()))
	require.NoError(br.T, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return br.Do(req)
}

// HTMX posts like htmx does: CSRF in a header, HX-Request set.
func (br *Browser) HTMX(path string, form url.Values) Page {
	br.T.Helper()
	return br.PostRaw(path, form, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {br.CSRF}})
}

// Login signs in through the sign-in form.
func (br *Browser) Login(email, password string) Page {
	br.T.Helper()
	br.Get("/login")
	return br.Post("/login", url.Values{"email": {email}, "password": {password}})
}

// Upload posts a multipart CSV file with the remembered CSRF token.
func (br *Browser) Upload(path, filename, content string) Page {
	br.T.Helper()
	return br.UploadForm(path, nil, filename, []byte(content), false)
}

// UploadForm posts a multipart form: the remembered CSRF token first (or,
// with htmx, in a header as htmx sends it), then fields in order, then the
// file.
func (br *Browser) UploadForm(path string, fields [][2]string, filename string, content []byte, htmx bool) Page {
	br.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if !htmx {
		require.NoError(br.T, w.WriteField("_csrf", br.CSRF))
	}
	for _, f := range fields {
		require.NoError(br.T, w.WriteField(f[0], f[1]))
	}
	fw, err := w.CreateFormFile("file", filename)
	require.NoError(br.T, err)
	_, _ = fw.Write(content)
	require.NoError(br.T, w.Close())
	req, err := http.NewRequest(http.MethodPost, br.Base+path, &body)
	require.NoError(br.T, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if htmx {
		req.Header.Set("Hx-Request", "true")
		req.Header.Set("X-Csrf-Token", br.CSRF)
	}
	return br.Do(req)
}

// In is the same browser (cookies, CSRF token) failing t rather than the
// test that created it, for use inside subtests.
func (br *Browser) In(t testing.TB) *Browser {
	c := *br
	c.T = t
	return &c
}

// LoggedIn returns a browser signed in as u.
func (b *Bundle) LoggedIn(t testing.TB, u user.User) *Browser {
	t.Helper()
	br := b.Browser(t)
	p := br.Login(u.Email, testfactory.Password)
	require.Equal(t, http.StatusSeeOther, p.Status, "login of %s: %s", u.Email, p.Body)
	br.Get("/") // pick up a CSRF token
	return br
}

// BodyRecorder keeps every response a browser reads (headers and body), to
// look for secrets in.
type BodyRecorder struct {
	mu  sync.Mutex
	all []string
}

// RoundTrip sends req and keeps the answer.
func (r *BodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.all = append(r.all, req.URL.String()+"\n"+fmt.Sprint(resp.Header)+"\n"+string(raw))
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

// Text is every answer kept so far.
func (r *BodyRecorder) Text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.all, "\n")
}

// Recorded makes br keep every response in r.
func (br *Browser) Recorded(r *BodyRecorder) *Browser {
	br.Client.Transport = r
	return br
}
