package acssim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// GenieACSVersion is the GenieACS-Version header every NBI answer carries.
const GenieACSVersion = "1.2.16+26112738e9"

// The NBI routes, tested on the raw path in this order, exactly as
// lib/nbi.ts does.
var (
	rePresets     = regexp.MustCompile(`^/presets/([a-zA-Z0-9\-_%]+)/?$`)
	reObjects     = regexp.MustCompile(`^/objects/([a-zA-Z0-9\-_%]+)/?$`)
	reProvisions  = regexp.MustCompile(`^/provisions/([a-zA-Z0-9\-_%]+)/?$`)
	reVirtParams  = regexp.MustCompile(`^/virtual_parameters/([a-zA-Z0-9\-_%]+)/?$`)
	reTags        = regexp.MustCompile(`^/devices/([a-zA-Z0-9\-_%]+)/tags/([a-zA-Z0-9\-_%]+)/?$`)
	reFaults      = regexp.MustCompile(`^/faults/([a-zA-Z0-9\-_%:]+)/?$`)
	reDeviceTasks = regexp.MustCompile(`^/devices/([a-zA-Z0-9\-_%]+)/tasks/?$`)
	reTasks       = regexp.MustCompile(`^/tasks/([a-zA-Z0-9\-_%]+)(/[a-zA-Z_]*)?$`)
	reFiles       = regexp.MustCompile(`^/files/([a-zA-Z0-9%!*'();:@&=+$,?#\[\]\-_.~]+)/?$`)
	rePing        = regexp.MustCompile(`^/ping/([a-zA-Z0-9\-_.:]+)/?$`)
	reDevice      = regexp.MustCompile(`^/devices/([a-zA-Z0-9\-_%]+)/?$`)
	reQuery       = regexp.MustCompile(`^/([a-zA-Z0-9_]+)/?$`)
)

// collections the NBI query route accepts (lib/nbi.ts plus the 1.2.16
// additions observed in captures 138/139).
var collections = map[string]bool{
	"devices": true, "tasks": true, "faults": true, "presets": true, "objects": true,
	"files": true, "provisions": true, "virtualParameters": true, "config": true,
	"users": true, "permissions": true, "operations": true, "cache": true, "locks": true,
}

// NBI returns the GenieACS northbound API handler (port 7557 style).
func (s *Sim) NBI() http.Handler { return http.HandlerFunc(s.serveNBI) }

// request is one parsed NBI request.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	path  string // raw path, not decoded
	query url.Values
	body  []byte
}

func (s *Sim) serveNBI(w http.ResponseWriter, r *http.Request) {
	if f := s.failure.Load(); f != nil {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Drop {
			s.dropNow(w)
			return
		}
		if f.Status != 0 {
			w.Header()["GenieACS-Version"] = []string{GenieACSVersion}
			plain(w, f.Status, strconv.Itoa(f.Status)+" "+http.StatusText(f.Status))
			return
		}
	}
	w.Header()["GenieACS-Version"] = []string{GenieACSVersion}
	rawPath, rawQuery := r.RequestURI, ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.IsAbs() {
		rawPath = u.EscapedPath()
		rawQuery = u.RawQuery
	} else if i := strings.IndexByte(rawPath, '?'); i >= 0 {
		rawPath, rawQuery = rawPath[:i], rawPath[i+1:]
	}
	query, _ := url.ParseQuery(rawQuery)
	req := &request{w: w, r: r, path: rawPath, query: query}

	if m := reFiles.FindStringSubmatch(rawPath); m != nil && r.Method == http.MethodPut {
		s.putFile(req, m[1])
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return
	}
	req.body = body
	if err := s.route(req); err != nil {
		var c errCrash
		if errors.As(err, &c) || errors.Is(err, errURIMalformed) {
			s.log.Warn("nbi request dropped as GenieACS would", "method", r.Method, "path", rawPath, "err", err)
			s.drop(w)
			return
		}
		s.log.Error("nbi request failed", "method", r.Method, "path", rawPath, "err", err)
		plain(w, http.StatusInternalServerError, "Error: "+err.Error())
	}
}

func (s *Sim) route(q *request) error {
	p, method := q.path, q.r.Method
	switch {
	case rePresets.MatchString(p):
		return s.docRoute(q, "presets", rePresets.FindStringSubmatch(p)[1], false)
	case reObjects.MatchString(p):
		return s.docRoute(q, "objects", reObjects.FindStringSubmatch(p)[1], false)
	case reProvisions.MatchString(p):
		return s.docRoute(q, "provisions", reProvisions.FindStringSubmatch(p)[1], true)
	case reVirtParams.MatchString(p):
		return s.docRoute(q, "virtualParameters", reVirtParams.FindStringSubmatch(p)[1], true)
	case reTags.MatchString(p):
		m := reTags.FindStringSubmatch(p)
		return s.tagRoute(q, m[1], m[2])
	case reFaults.MatchString(p):
		if method != http.MethodDelete {
			return methodNotAllowed(q.w, "DELETE")
		}
		return s.deleteFault(q, reFaults.FindStringSubmatch(p)[1])
	case reDeviceTasks.MatchString(p):
		if method != http.MethodPost {
			return methodNotAllowed(q.w, "POST")
		}
		return s.postTask(q, reDeviceTasks.FindStringSubmatch(p)[1])
	case reTasks.MatchString(p):
		m := reTasks.FindStringSubmatch(p)
		return s.taskRoute(q, m[1], m[2])
	case reFiles.MatchString(p):
		if method != http.MethodDelete {
			return methodNotAllowed(q.w, "PUT, DELETE")
		}
		return s.deleteFile(q, reFiles.FindStringSubmatch(p)[1])
	case rePing.MatchString(p):
		// The real NBI spawns ping(8); the simulator has none to spawn.
		q.w.Header()["Connection"] = []string{"close"}
		plain(q.w, http.StatusInternalServerError, "Error: spawn ping ENOENT")
		return nil
	case reDevice.MatchString(p):
		if method != http.MethodDelete {
			return methodNotAllowed(q.w, "DELETE")
		}
		return s.deleteDevice(q, reDevice.FindStringSubmatch(p)[1])
	case reQuery.MatchString(p):
		return s.serveQuery(q, reQuery.FindStringSubmatch(p)[1])
	}
	plain(q.w, http.StatusNotFound, "404 Not Found")
	return nil
}

// ---- response helpers ----

// plain answers a text body with no Content-Type, like Node's res.end(s).
func plain(w http.ResponseWriter, status int, body string) {
	w.Header()["Content-Type"] = nil
	w.WriteHeader(status)
	if body != "" {
		_, _ = io.WriteString(w, body)
	}
}

func jsonResponse(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func methodNotAllowed(w http.ResponseWriter, allow string) error {
	w.Header()["Allow"] = []string{allow}
	plain(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
	return nil
}

func syntaxError(w http.ResponseWriter, err error) {
	plain(w, http.StatusBadRequest, "SyntaxError: "+err.Error())
}

// withReason answers with a custom HTTP reason phrase ("202 Task faulted"),
// which net/http cannot write: the connection is hijacked and closed after
// the response (the real NBI keeps it alive).
func (s *Sim) withReason(w http.ResponseWriter, status int, reason, contentType string, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		if contentType != "" {
			w.Header()["Content-Type"] = []string{contentType}
		} else {
			w.Header()["Content-Type"] = nil
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, reason)
	fmt.Fprintf(buf, "GenieACS-Version: %s\r\n", GenieACSVersion)
	if contentType != "" {
		fmt.Fprintf(buf, "Content-Type: %s\r\n", contentType)
	}
	fmt.Fprintf(buf, "Date: %s\r\n", time.Now().UTC().Format(http.TimeFormat))
	fmt.Fprintf(buf, "Connection: close\r\nContent-Length: %d\r\n\r\n", len(body))
	_, _ = buf.Write(body)
	_ = buf.Flush()
}

// drop reproduces a GenieACS worker crash: no response at all, and the
// connection closes after DropDelay (about 20 s on the real one).
func (s *Sim) drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	go func() {
		defer conn.Close()
		t := time.NewTimer(s.opts.DropDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closed:
		}
	}()
}

// dropNow closes the connection without a response (failure injection).
func (s *Sim) dropNow(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	if conn, _, err := hj.Hijack(); err == nil {
		_ = conn.Close()
	}
}

// ---- presets, objects, provisions, virtual parameters ----

func (s *Sim) docRoute(q *request, coll, rawName string, script bool) error {
	name, err := decodeURIComponent(rawName)
	if err != nil {
		return err
	}
	switch q.r.Method {
	case http.MethodPut:
		o := &object{}
		if script {
			src := string(q.body)
			if err := checkScript(src); err != nil {
				plain(q.w, http.StatusBadRequest, err.Error())
				return nil
			}
			o.set("_id", name)
			o.set("script", src)
		} else {
			v, err := parseJSON(q.body)
			if err != nil {
				syntaxError(q.w, err)
				return nil
			}
			vo, ok := v.(*object)
			if !ok {
				return crash("TypeError: cannot store a non-object")
			}
			o = vo
			o.set("_id", name)
		}
		s.mu.Lock()
		s.colls[coll].put(o)
		s.cfgRev++
		s.mu.Unlock()
		plain(q.w, http.StatusOK, "")
	case http.MethodDelete:
		s.mu.Lock()
		s.colls[coll].del(name)
		s.cfgRev++
		s.mu.Unlock()
		plain(q.w, http.StatusOK, "")
	default:
		return methodNotAllowed(q.w, "PUT, DELETE")
	}
	return nil
}

// checkScript compiles a provision the way GenieACS does (vm.Script of
// the script wrapped in a strict function) and returns V8-style messages.
func checkScript(src string) error {
	_, err := goja.Compile("", "\"use strict\";(function(){\n"+src+"\n})();", true)
	if err == nil {
		return nil
	}
	var se *goja.CompilerSyntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("SyntaxError: %s", err.Error())
	}
	msg := se.Message
	if i := strings.Index(msg, ": Line "); i >= 0 {
		if j := strings.IndexByte(msg[i+7:], ' '); j >= 0 {
			msg = msg[i+7+j+1:]
		}
	}
	if i := strings.Index(msg, " (and "); i >= 0 {
		msg = msg[:i]
	}
	switch {
	case msg == "Unexpected token ILLEGAL":
		msg = "Invalid or unexpected token"
	case strings.HasPrefix(msg, "Unexpected token "):
		tok := strings.TrimPrefix(msg, "Unexpected token ")
		if tok == "EOF" || tok == "" {
			msg = "Unexpected end of input"
		} else {
			msg = "Unexpected token '" + tok + "'"
		}
	}
	return fmt.Errorf("SyntaxError: %s", msg)
}

// ---- tags ----

func (s *Sim) tagRoute(q *request, rawID, rawTag string) error {
	id, err := decodeURIComponent(rawID)
	if err != nil {
		return err
	}
	tag, err := decodeURIComponent(rawTag)
	if err != nil {
		return err
	}
	if q.r.Method != http.MethodPost && q.r.Method != http.MethodDelete {
		return methodNotAllowed(q.w, "POST, DELETE")
	}
	s.mu.Lock()
	d := s.byID[id]
	if d == nil || !d.has(fRegistered) {
		s.mu.Unlock()
		plain(q.w, http.StatusNotFound, "No such device")
		return nil
	}
	// A tag is written at once, a session under way or not (GenieACS
	// updates _tags in place; the session's save leaves it).
	for _, d := range []*device{d, d.saved} {
		if d == nil {
			continue
		}
		if q.r.Method == http.MethodPost {
			addTag(d, tag)
		} else {
			removeTag(d, tag)
		}
	}
	s.mu.Unlock()
	plain(q.w, http.StatusOK, "")
	return nil
}

// addTag is $addToSet on _tags.
func addTag(d *device, tag string) {
	for _, t := range d.tags {
		if t == tag {
			return
		}
	}
	d.tags = append(d.tags, tag)
}

// removeTag is $pull: the field stays, possibly as [].
func removeTag(d *device, tag string) {
	if d.tags == nil {
		return
	}
	kept := d.tags[:0:0]
	for _, t := range d.tags {
		if t != tag {
			kept = append(kept, t)
		}
	}
	d.tags = kept
}

// ---- faults, devices ----

func (s *Sim) deleteFault(q *request, raw string) error {
	id, err := decodeURIComponent(raw)
	if err != nil {
		return err
	}
	deviceID, channel, _ := strings.Cut(id, ":")
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.byID[deviceID]; d != nil && d.has(fBusy) {
		plain(q.w, http.StatusServiceUnavailable, "Device is in session")
		return nil
	}
	s.faults.del(id)
	if rest, ok := strings.CutPrefix(channel, "task_"); ok {
		oid, ok := parseObjectID(rest)
		if !ok {
			return crash("BSONError: invalid ObjectId %q", rest)
		}
		if t := s.tasks.byID[oid]; t != nil {
			s.tasks.remove(t)
		}
	}
	plain(q.w, http.StatusOK, "")
	return nil
}

func (s *Sim) deleteDevice(q *request, raw string) error {
	id, err := decodeURIComponent(raw)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byID[id]
	if d != nil && d.has(fBusy) {
		plain(q.w, http.StatusServiceUnavailable, "Device is in session")
		return nil
	}
	for _, t := range append([]*task(nil), s.tasks.byDev[id]...) {
		s.tasks.remove(t)
	}
	s.faults.delDevice(id)
	if d != nil {
		// The document goes; the CPE keeps its configuration and registers
		// again at its next inform.
		s.setRegistered(d, false)
		d.registered, d.lastInform, d.lastBoot, d.lastBootstrap, d.rootTS = 0, 0, 0, 0, 0
		d.tags, d.doc = nil, nil
		if d.ext != nil {
			d.ext.dl = nil
		}
	}
	plain(q.w, http.StatusOK, "")
	return nil
}

// ---- collection queries ----

func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// jsParseInt is parseInt(s) for skip and limit (NaN → ok false).
func jsParseInt(s string) (int, bool) {
	s = strings.TrimLeftFunc(s, jsWhitespace)
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	start := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == start {
		return 0, false
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0, false
	}
	return n, true
}

type queryParams struct {
	cond        cond
	expanded    *object
	proj        *proj
	sort        []sortKey
	skip, limit int
	head        bool
}

func (s *Sim) serveQuery(q *request, rawColl string) error {
	coll := camelCase(rawColl)
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		return methodNotAllowed(q.w, "GET, HEAD")
	}
	if !collections[coll] {
		plain(q.w, http.StatusNotFound, "404 Not Found")
		return nil
	}
	qp := queryParams{head: q.r.Method == http.MethodHead}
	qo := &object{}
	if raw := q.query.Get("query"); raw != "" {
		v, err := parseJSON([]byte(raw))
		if err != nil {
			syntaxError(q.w, err)
			return nil
		}
		o, ok := v.(*object)
		if !ok {
			return crash("TypeError: query is not an object")
		}
		qo = o
	}
	var err error
	switch coll {
	case "devices":
		if qo, err = expandDeviceQuery(qo); err != nil {
			return err
		}
	case "tasks":
		err = sanitizeQueryTypes(qo, taskQueryTypes)
	case "faults":
		err = sanitizeQueryTypes(qo, faultQueryTypes)
	}
	if err != nil {
		return err
	}
	qp.expanded = qo
	if qp.cond, err = compileQuery(qo); err != nil {
		return err
	}
	qp.proj = parseProjection(q.query.Get("projection"))
	if raw := q.query.Get("sort"); raw != "" {
		v, err := parseJSON([]byte(raw))
		if err != nil {
			syntaxError(q.w, err)
			return nil
		}
		so, ok := v.(*object)
		if !ok {
			return crash("MongoInvalidArgumentError: Invalid sort")
		}
		if qp.sort, err = parseSort(so, coll == "devices"); err != nil {
			return err
		}
	}
	if n, ok := jsParseInt(q.query.Get("skip")); ok && n > 0 {
		qp.skip = n
	}
	if n, ok := jsParseInt(q.query.Get("limit")); ok {
		qp.limit = max(n, -n)
	}
	if coll == "devices" {
		s.queryDevices(q.w, &qp)
		return nil
	}
	s.queryDocs(q.w, coll, &qp)
	return nil
}

func writeListHeader(w http.ResponseWriter, total int) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.Header()["total"] = []string{strconv.Itoa(total)}
	w.WriteHeader(http.StatusOK)
}

// queryDocs serves the small collections from documents built on the fly.
func (s *Sim) queryDocs(w http.ResponseWriter, coll string, qp *queryParams) {
	s.mu.RLock()
	var docs []*object
	switch coll {
	case "tasks":
		// Index fast paths for the per-task and per-device polls of a
		// large fan-out; matching then runs on the stored document.
		add := func(t *task) bool {
			docs = append(docs, t.doc)
			return true
		}
		if id, ok := eqKey(qp.expanded, "_id"); ok {
			if oid, ok := id.(objectID); ok && s.tasks.byID[oid] != nil {
				add(s.tasks.byID[oid])
			}
		} else if dev, ok := eqKey(qp.expanded, "device"); ok {
			if ds, ok := dev.(string); ok {
				for _, t := range s.tasks.byDev[ds] {
					add(t)
				}
			}
		} else {
			s.tasks.all(add)
		}
	case "faults":
		dev, byDev := eqKey(qp.expanded, "device")
		for _, f := range s.faults.list {
			if byDev && dev != f.device {
				continue
			}
			docs = append(docs, f.doc())
		}
	case "files":
		for _, name := range s.fileIDs {
			docs = append(docs, s.files[name].doc())
		}
	default:
		if c := s.colls[coll]; c != nil {
			docs = append(docs, c.docs...)
		}
	}
	s.mu.RUnlock()

	var matched []*object
	for _, o := range docs {
		if qp.cond.match(func(p string) (any, bool) { return resolvePath(o, p) }) {
			matched = append(matched, o)
		}
	}
	if len(qp.sort) > 0 {
		sort.SliceStable(matched, func(i, j int) bool {
			for _, k := range qp.sort {
				a, aok := resolvePath(matched[i], k.path)
				b, bok := resolvePath(matched[j], k.path)
				if c := compareSort(sortValue(a, aok, k.dir), sortValue(b, bok, k.dir)); c != 0 {
					return c*k.dir < 0
				}
			}
			return false
		})
	}
	writeListHeader(w, len(matched))
	if qp.head {
		return
	}
	page := window(len(matched), qp.skip, qp.limit)
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString("[\n")
	var b []byte
	for i, o := range matched[page[0]:page[1]] {
		if i > 0 {
			_, _ = bw.WriteString(",\n")
		}
		if coll == "tasks" {
			o = o.withIDFirst()
		}
		if qp.proj != nil {
			o = projectObject(o, withID(qp.proj))
		}
		b = appendObject(b[:0], o)
		_, _ = bw.Write(b)
	}
	_, _ = bw.WriteString("\n]")
	_ = bw.Flush()
}

// eqKey returns the value of a top-level equality condition on key.
func eqKey(q *object, key string) (any, bool) {
	v, ok := q.get(key)
	if !ok {
		return nil, false
	}
	switch v.(type) {
	case string, objectID:
		return v, true
	}
	return nil, false
}

// withID adds _id to a projection: MongoDB includes it unless excluded.
func withID(p *proj) *proj {
	if p == nil || p.all || p.kids["_id"] != nil {
		return p
	}
	kids := make(map[string]*proj, len(p.kids)+1)
	for k, v := range p.kids {
		kids[k] = v
	}
	kids["_id"] = projAll
	return &proj{kids: kids}
}

// window turns skip/limit into a [from, to) range of n results.
func window(n, skip, limit int) [2]int {
	from := min(skip, n)
	to := n
	if limit > 0 && from+limit < n {
		to = from + limit
	}
	return [2]int{from, to}
}
