package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A trimmed govulncheck v1.10.0 -format json stream: GO-2026-0001 is called
// (symbol level), GO-2026-0002 imported only, GO-2026-0003 required only.
const stream = `{"config": {"protocol_version": "v1.0.0", "scanner_name": "govulncheck", "scanner_version": "v1.10.0",
  "db": "file:///db", "db_last_modified": "2026-11-05T23:49:57Z", "go_version": "go1.27.3", "scan_level": "symbol"}}
{"progress": {"message": "Scanning your code and 1 packages across 3 dependent modules for known vulnerabilities..."}}
{"osv": {"id": "GO-2026-0001", "summary": "called one"}}
{"osv": {"id": "GO-2026-0002", "summary": "imported one"}}
{"osv": {"id": "GO-2026-0003", "summary": "required one"}}
{"finding": {"osv": "GO-2026-0001", "trace": [{"module": "example.com/a/v4", "version": "v4.1.0"}]}}
{"finding": {"osv": "GO-2026-0001", "trace": [{"module": "example.com/a/v4", "version": "v4.1.0", "package": "example.com/a/v4"}]}}
{"finding": {"osv": "GO-2026-0001", "trace": [
  {"module": "example.com/a/v4", "version": "v4.1.0", "package": "example.com/a/v4", "function": "Do", "receiver": "*T"},
  {"module": "example.com/x", "package": "example.com/x/mid", "function": "f"},
  {"module": "example.com/x", "package": "example.com/x/web", "function": "h", "position": {"filename": "web/h.go", "line": 9}}]}}
{"finding": {"osv": "GO-2026-0001", "trace": [
  {"module": "example.com/a/v4", "version": "v4.1.0", "package": "example.com/a/v4", "function": "Do", "receiver": "*T"},
  {"module": "example.com/x", "package": "example.com/x/web", "function": "g", "position": {"filename": "web/g.go", "line": 3}}]}}
{"finding": {"osv": "GO-2026-0002", "fixed_version": "v1.2.3", "trace": [{"module": "example.com/b", "version": "v1.0.0", "package": "example.com/b"}]}}
{"finding": {"osv": "GO-2026-0003", "trace": [{"module": "example.com/c", "version": "v0.1.0"}]}}
`

func judge(t *testing.T, stream, accepted string) (int, string) {
	t.Helper()
	rep, err := Read(strings.NewReader(stream))
	require.NoError(t, err)
	acc, err := ParseAccepted(strings.NewReader(accepted))
	require.NoError(t, err)
	var out strings.Builder
	code := rep.Judge(&out, acc)
	return code, out.String()
}

func TestCalledFails(t *testing.T) {
	t.Parallel()
	code, out := judge(t, stream, "")
	require.Equal(t, 3, code, out)
	require.Contains(t, out, "GO-2026-0001: called one")
	require.Contains(t, out, "example.com/a/v4@v4.1.0, fixed in: none")
	require.Contains(t, out, "called, e.g.: web/g.go:3: web.g -> a.T.Do") // the shorter trace
	require.Contains(t, out, "FAIL: reachable")
	require.NotContains(t, out, "GO-2026-0002:")
	require.Contains(t, out, "1 reachable (1 failing, 0 accepted); not called: 1 in imported packages, 1 in required modules")
	require.Contains(t, out, "(data of 2026-11-05)")
}

func TestAcceptedPasses(t *testing.T) {
	t.Parallel()
	code, out := judge(t, stream, "# reviewed\n\nGO-2026-0001 example.com/a/v4 we never call T.Do with untrusted input\n")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "accepted (reviewed, no fix in this major version): we never call T.Do with untrusted input")
}

func TestAcceptedButFixedFails(t *testing.T) {
	t.Parallel()
	fixed := strings.Replace(stream, `{"osv": "GO-2026-0001", "trace"`, `{"osv": "GO-2026-0001", "fixed_version": "v4.2.0", "trace"`, 1)
	code, out := judge(t, fixed, "GO-2026-0001 example.com/a/v4 reviewed\n")
	require.Equal(t, 3, code, out)
	require.Contains(t, out, "fixed in: v4.2.0")
	require.Contains(t, out, "is fixed in v4.2.0 now")
}

func TestAcceptedOtherModuleFails(t *testing.T) {
	t.Parallel()
	code, out := judge(t, stream, "GO-2026-0001 example.com/a/v5 reviewed\n")
	require.Equal(t, 3, code, out)
	require.Contains(t, out, "review it again")
}

func TestStaleAcceptedIsANote(t *testing.T) {
	t.Parallel()
	code, out := judge(t, stream, "GO-2026-0001 example.com/a/v4 r\nGO-2026-0003 example.com/c r\nGO-2026-0009 example.com/d r\n")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "accepted GO-2026-0003 is no longer reachable")
	require.Contains(t, out, "accepted GO-2026-0009 is no longer reachable")
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	_, err := Read(strings.NewReader(`{"progress": {"message": "x"}}`))
	require.ErrorContains(t, err, "no config message")
	_, err = Read(strings.NewReader(`not json`))
	require.Error(t, err)
	_, err = ParseAccepted(strings.NewReader("GO-2026-0001 example.com/a\n"))
	require.ErrorContains(t, err, "line 1")
	_, err = ParseAccepted(strings.NewReader("CVE-2026-1 m reason\n"))
	require.Error(t, err)
}
