package middleware

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/fyberpay/cpe/internal/validation"
	"github.com/fyberpay/cpe/web/httperr"
)

// CleanText applies the one text rule (validation.TextProblem: valid
// UTF-8, no control characters but tab, CR and LF) to everything a request
// says in text before any handler reads it: path and query parameters,
// url-encoded form fields and every string (keys too) of a JSON body. A
// break is a 422 naming the field, the same for pages and the API, so no
// NUL or invalid byte ever reaches PostgreSQL as a 500. Multipart bodies
// (file uploads) are left to their handlers; skip exempts routes with
// their own answer (sign-in treats a bad e-mail as a wrong one).
func CleanText(skip func(echo.Context) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip != nil && skip(c) {
				return next(c)
			}
			field, reason, err := textProblem(c)
			if err != nil {
				return err
			}
			if reason != "" {
				return &httperr.Error{Status: http.StatusUnprocessableEntity, Code: "invalid",
					Message: fmt.Sprintf("%s %s", field, reason), Fields: map[string]string{field: reason}}
			}
			return next(c)
		}
	}
}

// textProblem returns the first field breaking the rule and why.
func textProblem(c echo.Context) (field, reason string, err error) {
	for i, name := range c.ParamNames() {
		if i >= len(c.ParamValues()) {
			break
		}
		v := c.ParamValues()[i]
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if r := validation.TextProblem(v); r != "" {
			return name, r, nil
		}
	}
	if f, r := valuesProblem(c.QueryParams()); r != "" {
		return f, r, nil
	}
	req := c.Request()
	if req.Body == nil || req.Body == http.NoBody {
		return "", "", nil
	}
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	switch {
	case ct == echo.MIMEApplicationForm:
		if err := req.ParseForm(); err != nil {
			return "", "", httperr.BadRequest("bad_form", "the form body could not be read")
		}
		f, r := valuesProblem(req.PostForm)
		return f, r, nil
	case ct == echo.MIMEApplicationJSON || strings.HasSuffix(ct, "+json"):
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return "", "", err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		f, r := jsonProblem(body)
		return f, r, nil
	}
	return "", "", nil
}

func valuesProblem(vs url.Values) (field, reason string) {
	for k, list := range vs {
		if r := validation.TextProblem(k); r != "" {
			return "parameter name", r
		}
		for _, v := range list {
			if r := validation.TextProblem(v); r != "" {
				return k, r
			}
		}
	}
	return "", ""
}

// jsonProblem walks a JSON body's tokens and returns the path of the first
// string (or key) breaking the rule: "name", "wifi.ssid", "serials[2]".
// Invalid UTF-8 is looked for in the raw bytes, since decoding would
// silently replace it. A body that is not JSON is left to the handler.
func jsonProblem(body []byte) (field, reason string) {
	raw := !utf8.Valid(body)
	if !raw && !mayHoldControl(body) {
		return "", "" // the common case (identify's hot path): no walk
	}
	type frame struct {
		obj     bool
		wantKey bool
		key     string
		idx     int
	}
	var st []frame
	path := func(frames []frame) string {
		var b strings.Builder
		for _, f := range frames {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.idx) + "]")
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	valueDone := func() {
		if n := len(st); n > 0 {
			if st[n-1].obj {
				st[n-1].wantKey = true
			} else {
				st[n-1].idx++
			}
		}
	}
	check := func(s string, rawTok []byte) string {
		if raw && !utf8.Valid(rawTok) {
			return validation.ReasonInvalidUTF8
		}
		return validation.TextProblem(s)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "", "" // the end, or not JSON: the handler answers that
		}
		end := dec.InputOffset()
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				st = append(st, frame{obj: true, wantKey: true})
			case '[':
				st = append(st, frame{})
			default:
				st = st[:len(st)-1]
				valueDone()
			}
			continue
		}
		s, isStr := tok.(string)
		if n := len(st); n > 0 && st[n-1].obj && st[n-1].wantKey {
			if r := check(s, body[start:end]); r != "" {
				return path(st[:n-1]) + " (a key)", r
			}
			st[n-1].key, st[n-1].wantKey = s, false
			continue
		}
		if isStr {
			if r := check(s, body[start:end]); r != "" {
				return path(st), r
			}
		}
		valueDone()
	}
}

// mayHoldControl reports whether valid UTF-8 JSON could carry a control
// character in a string: through a \u escape, a raw DEL (valid inside a
// JSON string) or a raw C1 character (U+0080–U+009F: 0xC2 0x80–0x9F). Raw
// C0 bytes are not valid inside JSON strings, and outside them only tab,
// CR and LF are (whitespace), so they need no walk.
func mayHoldControl(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) || bytes.IndexByte(body, 0x7f) >= 0 {
		return true
	}
	for i := bytes.IndexByte(body, 0xc2); i >= 0 && i+1 < len(body); {
		if body[i+1] >= 0x80 && body[i+1] <= 0x9f {
			return true
		}
		j := bytes.IndexByte(body[i+1:], 0xc2)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
