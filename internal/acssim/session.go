package acssim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Session modes.
const (
	sessManual  = 1 << iota // Inform(): a pending reboot completes at once
	sessInitial             // the first bootstrap of an initial device, even if offline
)

// Inform runs one CWMP session for the device now, as if it informed with
// the given events ("2 PERIODIC", "0 BOOTSTRAP", "1 BOOT", ... or a comma
// list). Pending events (boot after a reboot, diagnostics complete) are
// added; with none at all the event is "2 PERIODIC", and a device that
// never informed sends "0 BOOTSTRAP,1 BOOT". The session updates the
// document, executes queued tasks, then applies the presets its events
// match (FyberPay's bootstrap provision calls identify through ext).
func (s *Sim) Inform(ctx context.Context, id string, events ...string) error {
	s.mu.RLock()
	d := s.byID[id]
	s.mu.RUnlock()
	if d == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchDevice, id)
	}
	return s.sessionMode(ctx, d, events, sessManual)
}

func (s *Sim) session(ctx context.Context, d *device, events []string) error {
	return s.sessionMode(ctx, d, events, 0)
}

// parseEvents maps inform event codes to the bits the simulator acts on
// (others, such as "2 PERIODIC", change nothing in the document).
func parseEvents(events []string) (bits uint8) {
	for _, e := range events {
		for _, one := range strings.Split(e, ",") {
			switch strings.ToUpper(strings.TrimSpace(one)) {
			case "0 BOOTSTRAP":
				bits |= evBootstrap
			case "1 BOOT":
				bits |= evBoot
			case "7 TRANSFER COMPLETE":
				bits |= evTransfer
			case "8 DIAGNOSTICS COMPLETE":
				bits |= evDiag
			case "M REBOOT":
				bits |= evMReboot
			case "M DOWNLOAD":
				bits |= evMDownload
			}
		}
	}
	return bits
}

func (s *Sim) sessionMode(ctx context.Context, d *device, events []string, mode int) error {
	for {
		s.mu.Lock()
		if !d.has(fBusy) {
			break
		}
		s.mu.Unlock()
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if mode&sessInitial == 0 && (!d.has(fOnline) || (mode&sessManual == 0 && d.has(fUnresponsive))) {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrDeviceOffline, d.id)
	}
	if d.has(fRebooting) {
		if mode&sessManual == 0 {
			s.mu.Unlock()
			return fmt.Errorf("%w: %s is rebooting", ErrDeviceOffline, d.id)
		}
		s.completeBoot(d)
	}
	d.save()
	d.flags |= fBusy
	now := s.nowMS()
	bits := parseEvents(events)
	bits |= d.events
	d.events = 0
	if !d.has(fInformed) {
		bits |= evBootstrap | evBoot
	}
	d.flags |= fInformed
	if bits&evBoot != 0 && d.bootAt != now {
		d.bootAt, d.upBase = now, 0
	}
	if !d.has(fRegistered) {
		d.registered = now
		s.setRegistered(d, true)
	}
	d.lastInform = now
	if bits&evBoot != 0 {
		d.lastBoot = now
	}
	if bits&evBootstrap != 0 {
		d.lastBootstrap = now
	}
	d.informs++
	s.informs.Add(1)
	codes := events
	if len(codes) == 0 && bits == 0 {
		codes = []string{"2 PERIODIC"}
	}
	ss := &session{s: s, d: d, ctx: ctx, ts: now, events: eventSet(codes, bits),
		retryNow: map[string]bool{}, precondFault: map[string]bool{}}
	ss.inform()
	s.mu.Unlock()

	ss.runTasks()
	ss.applyPresets()

	s.mu.Lock()
	now = max(now, s.nowMS())
	if cap(d.doc) > len(d.doc)+len(d.doc)/8 {
		d.doc = slices.Clip(append([]docEnt(nil), d.doc...)) // 10^5 documents: no slack kept
	}
	d.flags &^= fBusy
	d.saved = nil // the session's end: GenieACS saves the document
	for _, t := range ss.done {
		s.tasks.remove(t) // and deletes the tasks the session ran
	}
	first := d.has(fInitial) && d.informs == 1
	if first && d.has(fRetired) {
		d.flags &^= fOnline // unplugged after its first session, for good
	}
	next, periodicOn := s.nextPeriodic(d, now, first)
	d.sched++
	gen := d.sched
	s.mu.Unlock()
	if s.started.Load() && periodicOn {
		s.sched.push(schedItem{at: next, d: d, gen: gen})
	}
	return nil
}

// completeBoot finishes a pending power cycle now.
func (s *Sim) completeBoot(d *device) {
	d.flags &^= fRebooting
	d.bootAt, d.upBase = s.nowMS(), 0
}

// nextPeriodic is when the device's next periodic inform is due (wall ms).
func (s *Sim) nextPeriodic(d *device, now int64, first bool) (int64, bool) {
	en, _ := s.rawValue(d, nref{node: d.tpl.ids.informEnable}).(bool)
	iv, _ := s.rawValue(d, nref{node: d.tpl.ids.informIntv}).(float64)
	if !en || iv < 1 {
		return 0, false
	}
	period := s.wall(time.Duration(iv) * time.Second)
	if first {
		// Spread the fleet over one interval after its first bootstrap.
		frac := 0.05 + 0.95*float64(hashOf(d.seed, 0x5c)%10000)/10000
		period = time.Duration(float64(period) * frac)
	}
	return now + period.Milliseconds(), true
}

// ---- device-side actions: reboot, factory reset, download, diagnostics ----

// Device-time durations of the simulated CPE actions.
const (
	bootDuration  = 30 * time.Second
	flashDuration = 45 * time.Second
)

// after runs f after a wall-time delay unless the simulator is closed.
func (s *Sim) after(d time.Duration, f func()) {
	time.AfterFunc(d, func() {
		select {
		case <-s.closed:
		default:
			f()
		}
	})
}

// powerCycle takes the device down and brings it back up informing the
// given events; reset also restores factory configuration.
func (s *Sim) powerCycle(d *device, events uint8, reset bool) {
	d.flags |= fRebooting
	d.events |= events
	if reset {
		// The CPE forgets its configuration; GenieACS's document does not
		// (until a provision clears it or fetches again).
		d.ovr = nil
		if d.ext != nil {
			d.ext.gone = append(d.ext.gone, d.ext.added...)
			d.ext.added, d.ext.deleted = nil, nil
		}
	}
	gate := s.bootGate
	s.after(s.wall(bootDuration), func() {
		if gate != nil {
			select {
			case <-gate:
			case <-s.closed:
				return
			}
		}
		s.bootUp(d)
	})
}

// bootUp completes a power cycle and sends the boot inform.
func (s *Sim) bootUp(d *device) {
	s.mu.Lock()
	if !d.has(fRebooting) {
		s.mu.Unlock()
		return
	}
	s.completeBoot(d)
	online := d.has(fOnline)
	s.mu.Unlock()
	if online {
		go func() { _ = s.session(s.ctx(), d, nil) }()
	}
}

// startDownload handles the Download RPC: GenieACS records Downloads.1.*
// and deletes the task; the transfer completes later.
func (s *Sim) startDownload(d *device, t *task, now int64) *cwmpFault {
	name := t.doc.str("file")
	if name == "" {
		name = t.doc.str("fileName")
	}
	f := s.files[name]
	if f == nil {
		return cpeFault("9010", "Download failed", nil)
	}
	fileType := t.doc.str("fileType")
	if fileType == "" && f.fileType != nil {
		fileType = *f.fileType
	}
	x := d.x()
	dl := x.dl
	if dl == nil {
		dl = &dlRecord{}
		x.dl = dl
	}
	dl.fileName, dl.fileType, dl.target = name, fileType, t.doc.str("targetFileName")
	dl.count++
	dl.download, dl.created = now, now
	speed := s.deviceSpeed(d) // bytes per device second
	dur := time.Duration(float64(f.size)/speed*float64(time.Second)) + flashDuration
	taskID := t.id
	fsURL := s.fsURL
	meta := *f
	s.after(s.wall(dur), func() { s.finishDownload(d, taskID, name, fileType, &meta, fsURL, dur) })
	return nil
}

// deviceSpeed is the device's line rate in bytes/s (20–200 Mbit/s).
func (s *Sim) deviceSpeed(d *device) float64 {
	mbps := 20 + float64(hashOf(d.seed, 0x5eed)%181)
	if d.ext != nil && d.ext.mbps > 0 {
		mbps = d.ext.mbps
	}
	return mbps * 1e6 / 8
}

// uploadSpeed is the device's upstream rate in bytes/s: 30–60 % of its
// line rate, as on asymmetric GPON and cable plans.
func (s *Sim) uploadSpeed(d *device) float64 {
	return s.deviceSpeed(d) * (0.3 + float64(hashOf(d.seed, 0x0b5eed)%31)/100)
}

// finishDownload fetches the file (from FS when SetFSURL was called),
// checks it is meant for this model and installs it, or records the
// TransferComplete fault on the task's channel.
func (s *Sim) finishDownload(d *device, taskID objectID, name, fileType string, f *file, fsURL string, dur time.Duration) {
	var fail *cwmpFault
	if fsURL != "" {
		if err := s.fetch(fsURL, name, f.size); err != nil {
			s.log.Warn("simulated download failed", "device", d.id, "file", name, "err", err)
			fail = cpeFault("9010", "Download failed", nil)
		}
	}
	s.mu.Lock()
	now := s.nowMS()
	p := d.tpl.prof
	if fail == nil && ((f.oui != nil && *f.oui != "" && *f.oui != p.oui) ||
		(f.productClass != nil && *f.productClass != "" && *f.productClass != p.productClass)) {
		// The image is for another model: the CPE rejects it after download.
		fail = cpeFault("9018", "File corrupted", nil)
	}
	if fail == nil && strings.Contains(name, ImageFailMarker) {
		fail = cpeFault("9010", "Download failed: image verification failed", nil)
	}
	if dl := d.ext.dl; dl != nil {
		dl.started = now - dur.Milliseconds()
		dl.completed = now
		dl.transferTS = now
		dl.lastDownload = dl.download
		dl.lastFileName, dl.lastFileType, dl.lastTarget = name, fileType, dl.target
	}
	if fail != nil {
		s.faults.put(&fault{
			id: d.id + ":task_" + string(taskID), device: d.id, channel: "task_" + string(taskID), ts: now,
			code: fail.code, message: fail.message, detail: fail.detail,
			provisions: string(appendJSON(nil, []any{[]any{"download", fileType, name, nil}})),
		})
		d.events |= evTransfer
		online := d.has(fOnline) && !d.has(fRebooting)
		s.mu.Unlock()
		if online {
			go func() { _ = s.session(s.ctx(), d, nil) }()
		}
		return
	}
	if strings.Contains(name, ImageBrickMarker) {
		// Flashed and never booted again: offline for good.
		d.flags |= fRebooting
		s.mu.Unlock()
		return
	}
	if f.version != nil && *f.version != "" {
		d.fw = *f.version
		d.dropOvr(nref{node: d.tpl.ids.swVersion}) // a version SetValue gave the old firmware
	}
	s.powerCycle(d, evBoot|evTransfer|evMDownload, false)
	s.mu.Unlock()
}

// fetch downloads a file from the file server as the CPE would.
func (s *Sim) fetch(base, name string, size int) error {
	u := strings.TrimSuffix(base, "/") + "/" + (&url.URL{Path: name}).EscapedPath()
	ctx, cancel := context.WithTimeout(s.ctx(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: status %d", u, resp.StatusCode)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return fmt.Errorf("read %s: %w", u, err)
	}
	if int(n) != size {
		return fmt.Errorf("get %s: %d bytes, want %d", u, n, size)
	}
	return nil
}

// startDiagnostics runs a TR-143 download or upload test or an IP ping
// after DiagnosticsState was set to Requested. Nothing crosses the network:
// transfer times follow from the device's simulated line rate.
func (s *Sim) startDiagnostics(d *device, r nref, now int64) {
	t := d.tpl
	obj := t.nodes[r.node].parent
	child := func(name string) nref {
		i, ok := t.byPath[t.nodes[obj].path+"."+name]
		if !ok {
			return nref{node: -1}
		}
		return nref{node: i}
	}
	str := func(name string) string {
		c := child(name)
		if c.node < 0 {
			return ""
		}
		v, _ := s.rawValue(d, c).(string)
		return v
	}
	num := func(name string) float64 {
		c := child(name)
		if c.node < 0 {
			return 0
		}
		v, _ := s.rawValue(d, c).(float64)
		return v
	}
	done := "Completed"
	if t.prof.tr181 {
		done = "Complete"
	}
	runs := d.informs + uint32(now%997)
	var results map[string]any
	var dur time.Duration
	polled := false
	switch obj {
	case t.ids.dlDiag:
		dlURL := str("DownloadURL")
		if dlURL == "" {
			results = map[string]any{"DiagnosticsState": "Error_InitConnectionFailed"}
			dur = time.Second
			break
		}
		size := 10 << 20
		if u, err := url.Parse(dlURL); err == nil {
			name := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
			if nm, err := url.PathUnescape(name); err == nil {
				name = nm
			}
			if f := s.files[name]; f != nil {
				size = f.size
			}
		}
		speed := s.deviceSpeed(d) * (0.85 + float64(hashOf(d.seed, uint64(runs))%25)/100)
		dur = time.Duration(float64(size) / speed * float64(time.Second))
		results = map[string]any{
			"DiagnosticsState":   done,
			"TestBytesReceived":  float64(size),
			"TotalBytesReceived": float64(size + size/50 + 350),
			"dur":                dur,
		}
	case t.ids.ulDiag:
		if str("UploadURL") == "" {
			results = map[string]any{"DiagnosticsState": "Error_InitConnectionFailed"}
			dur = time.Second
			break
		}
		size := int(num("TestFileLength"))
		if size <= 0 {
			size = 10 << 20
		}
		speed := s.uploadSpeed(d) * (0.85 + float64(hashOf(d.seed, uint64(runs)+0x0b)%25)/100)
		dur = time.Duration(float64(size) / speed * float64(time.Second))
		results = map[string]any{
			"DiagnosticsState": done,
			"TotalBytesSent":   float64(size + size/50 + 350), // TCP/IP overhead
			"dur":              dur,
		}
	case t.ids.ping:
		host := str("Host")
		reps := num("NumberOfRepetitions")
		if reps < 1 {
			reps = 1
		}
		dur = time.Duration(reps) * time.Second
		if host == "" {
			results = map[string]any{"DiagnosticsState": "Error_CannotResolveHostName"}
			break
		}
		base := 3 + float64(hashOf(d.seed, 0x9193)%55)
		fails := 0.0
		if hashOf(d.seed, 0x1055)%10 == 0 && reps > 1 {
			fails = 1
		}
		lo, hi := base, base+1+float64(hashOf(d.seed, uint64(runs)+0x77)%25)
		results = map[string]any{
			"DiagnosticsState": done, "SuccessCount": reps - fails, "FailureCount": fails,
			"MinimumResponseTime": lo, "MaximumResponseTime": hi, "AverageResponseTime": float64(int((lo*2 + hi) / 3)),
		}
	case t.ids.trace:
		results, dur = traceRoute(d, t.prof.tr181, str("Host"), num("NumberOfTries"), num("MaxHopCount"), runs, done)
	case t.ids.scan:
		results, dur = neighbours(d, runs, done), 3*time.Second
	case t.ids.radioScan[0], t.ids.radioScan[1]:
		// ZTE's per-radio site survey: the CPE sends no 8 DIAGNOSTICS
		// COMPLETE; the ACS polls the state.
		radio := 0
		if obj == t.ids.radioScan[1] {
			radio = 1
		}
		results, dur, polled = radioNeighbours(d, runs, radio), 4*time.Second, true
	default:
		return
	}
	s.after(s.wall(dur)+10*time.Millisecond, func() {
		s.mu.Lock()
		end := s.nowMS()
		if dd, ok := results["dur"].(time.Duration); ok {
			delete(results, "dur")
			bom := end - dd.Milliseconds()
			results["ROMTime"] = msTime(bom - 30)
			results["TCPOpenRequestTime"] = msTime(bom - 25)
			results["TCPOpenResponseTime"] = msTime(bom - 5)
			results["BOMTime"] = msTime(bom)
			results["EOMTime"] = msTime(end)
		}
		for name, v := range results {
			if c := child(name); c.node >= 0 {
				d.setOvr(c, v, end)
			}
		}
		if polled {
			s.mu.Unlock()
			return
		}
		d.events |= evDiag
		online := d.has(fOnline) && !d.has(fRebooting)
		s.mu.Unlock()
		if online {
			go func() { _ = s.session(s.ctx(), d, nil) }()
		}
	})
}

// ---- scheduler ----

type schedItem struct {
	at  int64 // wall ms
	d   *device
	gen uint32
}

// scheduler is a min-heap of due informs.
type scheduler struct {
	mu   sync.Mutex
	h    []schedItem
	wake chan struct{}
}

func (q *scheduler) push(it schedItem) {
	q.mu.Lock()
	q.h = append(q.h, it)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q.h[p].at <= q.h[i].at {
			break
		}
		q.h[p], q.h[i] = q.h[i], q.h[p]
		i = p
	}
	head := i == 0
	q.mu.Unlock()
	if head {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// popDue removes the items due at now; next is the next due time (0: none).
func (q *scheduler) popDue(now int64, out []schedItem) ([]schedItem, int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.h) > 0 && q.h[0].at <= now {
		out = append(out, q.h[0])
		last := len(q.h) - 1
		q.h[0] = q.h[last]
		q.h = q.h[:last]
		i := 0
		for {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(q.h) && q.h[l].at < q.h[m].at {
				m = l
			}
			if r < len(q.h) && q.h[r].at < q.h[m].at {
				m = r
			}
			if m == i {
				break
			}
			q.h[i], q.h[m] = q.h[m], q.h[i]
			i = m
		}
	}
	if len(q.h) == 0 {
		return out, 0
	}
	return out, q.h[0].at
}

// schedule sets the device's next inform.
func (s *Sim) schedule(d *device, at time.Time) {
	s.mu.Lock()
	d.sched++
	gen := d.sched
	s.mu.Unlock()
	s.sched.push(schedItem{at: at.UnixMilli(), d: d, gen: gen})
}

// Start runs the simulator until ctx ends: initial devices bootstrap, then
// every online device informs each PeriodicInformInterval (compressed),
// and OfflineRatio devices churn. Calling it twice has no effect.
func (s *Sim) Start(ctx context.Context) {
	if !s.started.CompareAndSwap(false, true) {
		return
	}
	s.baseCtx.Store(&ctx)
	work := make(chan *device, s.opts.Concurrency)
	var wg sync.WaitGroup
	for i := 0; i < s.opts.Concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				s.scheduledInform(ctx, d)
			}
		}()
	}
	// Devices that already informed (BootstrapAll, Inform) or were added
	// get a spread first periodic inform; initial ones bootstrap now.
	var initial []*device
	now := s.now()
	s.mu.RLock()
	for _, d := range s.devs {
		if d.has(fInitial) && !d.has(fInformed) {
			initial = append(initial, d)
			continue
		}
		frac := 0.05 + 0.95*float64(hashOf(d.seed, 0x5c)%10000)/10000
		at := now.Add(time.Duration(float64(s.wall(time.Duration(s.informSecs)*time.Second)) * frac))
		d.sched++
		s.sched.push(schedItem{at: at.UnixMilli(), d: d, gen: d.sched})
	}
	s.mu.RUnlock()
	go func() {
		if s.opts.AwaitPreset != "" {
			s.awaitPreset(ctx, s.opts.AwaitPreset)
		}
		s.bootstrap(ctx, initial)
		close(s.ready)
	}()
	go func() {
		s.runScheduler(ctx, work)
		close(work)
		wg.Wait()
	}()
	if s.opts.OfflineRatio > 0 {
		go s.churn(ctx)
	}
	go func() {
		<-ctx.Done()
		s.Close()
	}()
}

// awaitPreset waits until a preset of that name is stored.
func (s *Sim) awaitPreset(ctx context.Context, name string) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if _, ok := s.Preset(name); ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Ready is closed once the devices created by New have bootstrapped after
// Start.
func (s *Sim) Ready() <-chan struct{} { return s.ready }

// Close stops pending device actions (reboots, downloads, diagnostics) and
// releases held connections. Start's context ending calls it.
func (s *Sim) Close() {
	s.closeOnce.Do(func() { close(s.closed) }) // Start's goroutine and a caller may close at once
	s.ext.close()
}

// BootstrapAll runs the first inform ("0 BOOTSTRAP,1 BOOT") of every
// initial device that has not informed yet, offline ones included (they
// registered before going offline), with Concurrency sessions at a time.
func (s *Sim) BootstrapAll(ctx context.Context) error {
	var initial []*device
	s.mu.RLock()
	for _, d := range s.devs {
		if d.has(fInitial) && !d.has(fInformed) {
			initial = append(initial, d)
		}
	}
	s.mu.RUnlock()
	s.bootstrap(ctx, initial)
	return ctx.Err()
}

func (s *Sim) bootstrap(ctx context.Context, devs []*device) {
	ch := make(chan *device)
	var wg sync.WaitGroup
	for i := 0; i < min(s.opts.Concurrency, max(1, len(devs))); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range ch {
				if err := s.sessionMode(ctx, d, nil, sessInitial); err != nil && ctx.Err() == nil {
					s.log.Warn("initial bootstrap failed", "device", d.id, "err", err)
				}
			}
		}()
	}
	for _, d := range devs {
		select {
		case ch <- d:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(ch)
	wg.Wait()
}

func (s *Sim) runScheduler(ctx context.Context, work chan<- *device) {
	var due []schedItem
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var next int64
		due, next = s.sched.popDue(s.nowMS(), due[:0])
		for _, it := range due {
			s.mu.RLock()
			valid := it.gen == it.d.sched
			s.mu.RUnlock()
			if !valid {
				continue
			}
			select {
			case work <- it.d:
			case <-ctx.Done():
				return
			}
		}
		wait := time.Hour
		if next != 0 {
			wait = time.Duration(next-s.nowMS()) * time.Millisecond
		}
		if len(due) > 0 {
			continue
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-s.sched.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// scheduledInform is one periodic (or post-boot) inform from the scheduler.
func (s *Sim) scheduledInform(ctx context.Context, d *device) {
	s.mu.RLock()
	reachable := d.has(fOnline) && !d.has(fRebooting) && !d.has(fUnresponsive)
	s.mu.RUnlock()
	if reachable {
		err := s.session(ctx, d, nil)
		if err == nil {
			return // the session scheduled the next inform
		}
		if ctx.Err() == nil && !errors.Is(err, ErrDeviceOffline) {
			s.log.Warn("scheduled inform failed", "device", d.id, "err", err)
		}
	}
	// Unreachable: try again one interval later.
	s.mu.Lock()
	next, on := s.nextPeriodic(d, s.nowMS(), false)
	d.sched++
	gen := d.sched
	s.mu.Unlock()
	if on {
		s.sched.push(schedItem{at: next, d: d, gen: gen})
	}
}

// churn keeps OfflineRatio of the fleet offline while devices come and go:
// a device coming back powers up and informs "1 BOOT" at once.
func (s *Sim) churn(ctx context.Context) {
	tick := max(s.wall(time.Duration(s.informSecs)*time.Second)/20, 50*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	// An offline spell lasts about three inform intervals on average: each
	// tick swaps target/60 devices each way (fractions carry over).
	acc := 0.0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var back []*device
		s.mu.Lock()
		n := len(s.devs)
		if n == 0 {
			s.mu.Unlock()
			continue
		}
		target := int(float64(n)*s.opts.OfflineRatio + 0.5)
		acc += float64(target) / 60
		swaps := int(acc)
		acc -= float64(swaps)
		pick := func(online bool) *device {
			for try := 0; try < 64; try++ {
				d := s.devs[s.rnd.intn(n)]
				if d.has(fOnline) == online && !d.has(fBusy|fRetired) && d.has(fInformed) && !d.has(fRebooting) {
					return d
				}
			}
			return nil
		}
		for i := 0; i < swaps; i++ {
			if d := pick(false); d != nil {
				d.flags |= fOnline
				d.events |= evBoot
				d.bootAt, d.upBase = s.nowMS(), 0
				back = append(back, d)
			}
			if d := pick(true); d != nil {
				d.flags &^= fOnline
			}
		}
		s.mu.Unlock()
		for _, d := range back {
			s.schedule(d, s.now().Add(time.Duration(hashOf(d.seed, uint64(time.Now().UnixNano()))%uint64(tick+1))))
		}
	}
}

// traceRouteSlots is how many RouteHops instances the profiles hold.
const traceRouteSlots = 6

// traceRoute is a TR-143 traceroute's results: the ISP's gateway, its
// core, an exchange point, the target; 4 to 6 hops, each with its tries'
// round-trip times ("3,2,4"), the target's average as ResponseTime. A
// MaxHopCount below the route's length stops there (MaxHopCountExceeded).
func traceRoute(d *device, tr181 bool, host string, tries, maxHops float64, runs uint32, done string) (map[string]any, time.Duration) {
	if host == "" {
		return map[string]any{"DiagnosticsState": "Error_CannotResolveHostName"}, time.Second
	}
	if tries < 1 {
		tries = 3
	}
	n := 4 + int(hashOf(d.seed, 0x7a)%3)
	state := done
	if maxHops >= 1 && int(maxHops) < n {
		n, state = int(maxHops), "Error_MaxHopCountExceeded"
	}
	target := host
	if net.ParseIP(host) == nil {
		h := hashOf(d.seed, 0x7b)
		target = fmt.Sprintf("142.250.%d.%d", 64+h%64, 1+(h>>8)%250)
	}
	g := hashOf(d.seed, 0x10)
	route := [][2]string{
		{"", fmt.Sprintf("10.%d.0.1", 20+g%200)},
		{"core1.nbo.isp.example", fmt.Sprintf("172.16.%d.1", g%250)},
		{"ke-ixp.example", fmt.Sprintf("196.223.21.%d", 1+g%200)},
		{"", fmt.Sprintf("41.%d.%d.1", 60+g%60, (g>>8)%250)},
		{"", fmt.Sprintf("41.%d.%d.9", 60+g%60, (g>>16)%250)},
	}
	names := [4]string{"HopHost", "HopHostAddress", "HopErrorCode", "HopRTTimes"}
	if tr181 {
		names = [4]string{"Host", "HostAddress", "ErrorCode", "RTTimes"}
	}
	full := 4 + int(hashOf(d.seed, 0x7a)%3)
	res := map[string]any{"DiagnosticsState": state, "RouteHopsNumberOfEntries": float64(n)}
	ms := 1.0
	for i := 1; i <= traceRouteSlots; i++ {
		name, addr, rtt := "", "", ""
		if i <= n {
			ms += float64(i*4) + float64(hashOf(d.seed, uint64(0x7c+i))%6)
			hop := route[min(i-1, len(route)-1)]
			if i == full {
				hop = [2]string{host, target}
			}
			name, addr = hop[0], hop[1]
			if name == "" {
				name = addr
			}
			times := make([]string, int(tries))
			var sum float64
			for k := range times {
				v := ms + float64(hashOf(d.seed, uint64(runs)*131+uint64(i*7+k))%4)
				sum += v
				times[k] = strconv.Itoa(int(v))
			}
			rtt = strings.Join(times, ",")
			if i == n {
				res["ResponseTime"] = float64(int(sum / tries))
			}
		}
		prefix := "RouteHops." + strconv.Itoa(i) + "."
		res[prefix+names[0]], res[prefix+names[1]], res[prefix+names[3]] = name, addr, rtt
		res[prefix+names[2]] = float64(0)
	}
	return res, time.Duration(n) * 300 * time.Millisecond
}

// radioSlots is how many X_ZTE-COM_NeighborAP instances a radio holds.
const radioSlots = 6

// radioNeighbours is one ZTE radio's site survey (radio 0: 2.4 GHz, 1:
// 5 GHz): four to six networks on 2.4 GHz (one of 1, 6, 11 crowded), two
// or three on 5 GHz; RSSI in dBm moving a few dB from scan to scan.
func radioNeighbours(d *device, runs uint32, radio int) map[string]any {
	n := 4 + int(hashOf(d.seed, 0x6ca)%3)
	if radio == 1 {
		n = 2 + int(hashOf(d.seed, 0x6cb)%2)
	}
	crowded := []float64{1, 6, 11}[hashOf(d.seed, 0x6cc)%3]
	names := []string{"Safaricom-Home", "Zuku_Fibre", "FAIBA-4G", "JTL-WiFi", "Wanjiku", "Otieno-Home", "Mwangi_5G", "Guest"}
	res := map[string]any{"DiagnosticsState": "Completed"}
	for i := 1; i <= radioSlots; i++ {
		p := "X_ZTE-COM_NeighborAP." + strconv.Itoa(i) + "."
		if i > n {
			for _, k := range []string{"SSID", "BSSID", "Bandwidth", "Standard"} {
				res[p+k] = ""
			}
			res[p+"Channel"], res[p+"RSSI"] = float64(0), float64(0)
			continue
		}
		h := hashOf(d.seed, uint64(0x6d0+16*radio+i))
		ch, bw, std := crowded, "20MHz", "b,g,n"
		if radio == 1 {
			ch, bw, std = []float64{36, 40, 44, 48, 149, 153}[h%6], "80MHz", "a,n,ac"
		} else if i%3 == 0 {
			ch = []float64{1, 6, 11}[(h>>4)%3]
		}
		res[p+"SSID"] = names[(h>>8)%uint64(len(names))]
		res[p+"BSSID"] = fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", byte(h>>16)&0xfc, byte(h>>24), byte(h>>32), byte(h>>40), byte(h>>48), byte(i))
		res[p+"Channel"], res[p+"Bandwidth"], res[p+"Standard"] = ch, bw, std
		res[p+"RSSI"] = -50 - float64(h%38) + float64(hashOf(d.seed, uint64(runs)*19+uint64(i))%5)
	}
	return res
}

// neighbourSlots is how many Result instances the profile holds.
const neighbourSlots = 8

// neighbours is a neighbouring Wi-Fi scan's results: five to eight
// networks around the house, most on the 2.4 GHz channels 1, 6 and 11
// (one channel crowded, another quiet, as in a block of flats), two on
// 5 GHz; signals move a few dB from scan to scan.
func neighbours(d *device, runs uint32, done string) map[string]any {
	n := 5 + int(hashOf(d.seed, 0x5ca)%4)
	crowded := []float64{1, 6, 11}[hashOf(d.seed, 0x5cb)%3]
	names := []string{"Safaricom-Home", "Zuku_Fibre", "FAIBA-4G", "JTL-WiFi", "Wanjiku", "DIRECT-HP-Printer", "Mwangi_5G", "Guest"}
	res := map[string]any{"DiagnosticsState": done, "ResultNumberOfEntries": float64(n)}
	for i := 1; i <= neighbourSlots; i++ {
		p := "Result." + strconv.Itoa(i) + "."
		if i > n {
			for _, k := range []string{"Radio", "SSID", "BSSID", "OperatingFrequencyBand", "SecurityModeEnabled"} {
				res[p+k] = ""
			}
			res[p+"Channel"], res[p+"SignalStrength"] = float64(0), float64(0)
			continue
		}
		h := hashOf(d.seed, uint64(0x5d0+i))
		band, ch, radio := "2.4GHz", crowded, "Device.WiFi.Radio.1"
		switch {
		case i > n-2:
			band, radio = "5GHz", "Device.WiFi.Radio.2"
			ch = []float64{36, 40, 44, 48, 149, 153}[h%6]
		case i%3 == 0:
			ch = []float64{1, 6, 11}[(h>>4)%3]
		}
		signal := -48 - float64(h%40) + float64(hashOf(d.seed, uint64(runs)*17+uint64(i))%5)
		res[p+"Radio"], res[p+"SSID"], res[p+"OperatingFrequencyBand"] = radio, names[(h>>8)%uint64(len(names))], band
		res[p+"BSSID"] = fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", byte(h>>16)&0xfc, byte(h>>24), byte(h>>32), byte(h>>40), byte(h>>48), byte(i))
		res[p+"Channel"], res[p+"SignalStrength"], res[p+"SecurityModeEnabled"] = ch, signal, "WPA2-Personal"
	}
	return res
}
