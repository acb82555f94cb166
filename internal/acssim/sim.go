package acssim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a simulator.
type Options struct {
	// Devices is the number of simulated CPEs created at start. They
	// bootstrap ("0 BOOTSTRAP,1 BOOT") when Start or BootstrapAll runs.
	Devices int
	// Profiles weights the mix of models by profile name (ProfileHuaweiHG8245H,
	// ProfileZTEF660, ProfileTPLinkAX10); nil means an equal mix.
	Profiles map[string]int
	// OfflineRatio is the fraction of devices offline at any time; offline
	// devices stop informing and connection requests to them fail. With
	// Start, devices churn: offline ones come back and others go offline.
	OfflineRatio float64
	// RetireRatio is the fraction of devices that bootstrap when the Sim
	// starts and then power off for good (unplugged, returned, dead): the
	// ACS sees them go offline, then stale. Churn never brings them back.
	RetireRatio float64
	// InformInterval is the devices' default PeriodicInformInterval
	// (default 300 s).
	InformInterval time.Duration
	// TimeCompression speeds device time up: 60 makes a 300 s inform
	// interval pass in 5 s of wall time. It applies to informs, reboots,
	// downloads, diagnostics and uptime. Default 1.
	TimeCompression float64
	// ExtDir is GenieACS's GENIEACS_EXT_DIR: ext("name", "fn", ...) in a
	// provision runs fn of ExtDir/name.js in a Node child process.
	ExtDir string
	// ExtEnv is added to the extension processes' environment (e.g.
	// FYBERPAY_URL and FYBERPAY_INTERNAL_KEY for FyberPay's script).
	ExtEnv []string
	// Node is the Node.js binary extensions run in (default "node").
	Node string
	// AwaitPreset, if set, holds the initial devices' first bootstrap
	// after Start until a preset of that name exists: a GenieACS is
	// configured (by FyberPay's start-up bootstrap) before its CPEs
	// arrive, and a device that bootstrapped earlier is never identified.
	AwaitPreset string
	// Seed makes serials, ids and values deterministic.
	Seed int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives simulator events; default discards.
	Logger *slog.Logger

	// DropDelay is how long the NBI holds a connection it drops without an
	// answer, as the real one does when a handler throws (default 20 s).
	DropDelay time.Duration
	// ExtTimeout bounds an extension call (GenieACS EXT_TIMEOUT, default
	// 3 s); a late answer faults the channel with "timeout".
	ExtTimeout time.Duration
	// SessionDelay is the simulated latency between a connection request and
	// the session it triggers (default 20 ms).
	SessionDelay time.Duration
	// OnlineThreshold is how long a connection request waits for the
	// session of a device that accepted it (cwmp.deviceOnlineThreshold,
	// default 4 s); the timeout query parameter overrides it.
	OnlineThreshold time.Duration
	// Concurrency caps concurrent scheduled sessions (default 64).
	Concurrency int
	// HTTPClient makes firmware downloads; default a client with
	// keep-alive pooling.
	HTTPClient *http.Client
}

// Failure is injected into every NBI request (see Sim.SetFailure).
type Failure struct {
	// Status, if non-zero, is answered instead of the real response.
	Status int
	// Delay is added before answering (or dropping).
	Delay time.Duration
	// Drop closes the connection without any response.
	Drop bool
}

// Firmware images whose file name holds one of these markers misbehave as
// a bad image does in the field (tests, the demo): ImageFailMarker's
// transfer completes with cwmp.9010 and the version stays; after
// ImageBrickMarker's the device reboots and never comes back.
const (
	ImageFailMarker  = "-simfail"
	ImageBrickMarker = "-simbrick"
)

// FileMeta is a stored file's metadata; an empty field was not sent.
type FileMeta struct {
	FileType, OUI, ProductClass, Version string
	UploadDate                           time.Time
}

// Stats are simulator counters.
type Stats struct {
	Devices      int   // simulated CPEs
	Registered   int   // devices with an NBI document
	Online       int   // devices currently reachable
	Informs      int64 // sessions run
	ExtCalls     int64 // extension calls made by provisions
	ExtFaults    int64 // extension calls that faulted or timed out
	TasksPending int   // tasks in the tasks collection
	Faults       int   // documents in the faults collection
}

// Errors returned by the test controls.
var (
	ErrNoSuchDevice  = errors.New("acssim: no such device")
	ErrDeviceOffline = errors.New("acssim: device is offline")
	ErrDuplicate     = errors.New("acssim: device already exists")
)

// Sim is a GenieACS 1.2.16 simulator: NBI, file server and the CPEs behind
// them. All state is in memory and guarded by mu.
type Sim struct {
	opts       Options
	log        *slog.Logger
	now        func() time.Time
	comp       float64
	informSecs int64
	profiles   map[string]*profile
	weights    []profileWeight
	oids       *oidGen
	client     *http.Client

	mu      sync.RWMutex
	devs    []*device // sorted by _id
	byID    map[string]*device
	reg     fenwick // registered devices by position in devs
	nextIdx int32
	rnd     rng
	tasks   taskStore
	faults  faultStore
	colls   map[string]*docStore // presets, provisions, virtualParameters, objects
	files   map[string]*file
	fileIDs []string // upload order
	fsURL   string
	// cfgRev counts changes to presets, provisions and objects; the
	// parsed presets are cached per revision.
	cfgRev      int
	presetCache []*preset
	presetRev   int
	// bootGate, when set (package tests, under mu), keeps a device that
	// starts a power cycle down until the channel is closed.
	bootGate chan struct{}

	ext     *extRunner
	informs atomic.Int64
	failure atomic.Pointer[Failure]

	sched   scheduler
	started atomic.Bool
	baseCtx atomic.Pointer[context.Context]
	ready   chan struct{}
	closed  chan struct{}

	closeOnce sync.Once // closes closed
}

type profileWeight struct {
	p *profile
	w int
}

// SoftMemoryLimit is the Go runtime's soft memory limit the simulator's
// process runs under (fyberpay sim, the 10^5-device benchmark) unless
// GOMEMLIMIT says otherwise. A fleet's documents are long-lived, so the
// default GC pacing (a heap goal of twice the live heap) would double the
// footprint of 100,000 devices; under this limit the collector runs more
// often instead, once the heap nears it.
const SoftMemoryLimit = 900 << 20

// LimitMemory applies SoftMemoryLimit, unless GOMEMLIMIT is set.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(SoftMemoryLimit)
	}
}

// New builds a simulator with opts.Devices devices that have not informed
// yet. It runs nothing in the background until Start.
func New(opts Options) (*Sim, error) {
	if opts.Devices < 0 {
		return nil, fmt.Errorf("acssim: negative device count %d", opts.Devices)
	}
	if opts.OfflineRatio < 0 || opts.OfflineRatio > 1 {
		return nil, fmt.Errorf("acssim: offline ratio %v outside [0,1]", opts.OfflineRatio)
	}
	if opts.RetireRatio < 0 || opts.OfflineRatio+opts.RetireRatio > 1 {
		return nil, fmt.Errorf("acssim: retire ratio %v outside [0,%v]", opts.RetireRatio, 1-opts.OfflineRatio)
	}
	if opts.InformInterval <= 0 {
		opts.InformInterval = 300 * time.Second
	}
	if opts.TimeCompression <= 0 {
		opts.TimeCompression = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.DropDelay <= 0 {
		opts.DropDelay = 20 * time.Second
	}
	if opts.ExtTimeout <= 0 {
		opts.ExtTimeout = 3 * time.Second
	}
	if opts.SessionDelay < 0 {
		opts.SessionDelay = 0
	} else if opts.SessionDelay == 0 {
		opts.SessionDelay = 20 * time.Millisecond
	}
	if opts.OnlineThreshold <= 0 {
		opts.OnlineThreshold = 4 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 64
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		}}
	}
	profiles, err := loadProfiles()
	if err != nil {
		return nil, fmt.Errorf("acssim: build profiles: %w", err)
	}
	s := &Sim{
		opts: opts, log: opts.Logger, now: opts.Now, comp: opts.TimeCompression,
		informSecs: int64(opts.InformInterval / time.Second),
		profiles:   profiles, oids: newOIDGen(uint64(opts.Seed)), client: opts.HTTPClient,
		byID: map[string]*device{}, rnd: rng{s: mix(uint64(opts.Seed) ^ 0x51)},
		faults: newFaultStore(), tasks: newTaskStore(),
		colls: map[string]*docStore{
			"presets": {}, "provisions": {}, "virtualParameters": {}, "objects": {},
		},
		files: map[string]*file{}, ready: make(chan struct{}), closed: make(chan struct{}),
		sched: scheduler{wake: make(chan struct{}, 1)},
	}
	s.ext = &extRunner{s: s}
	if s.informSecs < 1 {
		s.informSecs = 1
	}
	if opts.Profiles == nil {
		for _, name := range profileOrder {
			s.weights = append(s.weights, profileWeight{profiles[name], 1})
		}
	} else {
		names := make([]string, 0, len(opts.Profiles))
		for name := range opts.Profiles {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p, ok := profiles[name]
			if !ok {
				return nil, fmt.Errorf("acssim: unknown profile %q", name)
			}
			if w := opts.Profiles[name]; w > 0 {
				s.weights = append(s.weights, profileWeight{p, w})
			} else if w < 0 {
				return nil, fmt.Errorf("acssim: negative weight for profile %q", name)
			}
		}
		if len(s.weights) == 0 && opts.Devices > 0 {
			return nil, errors.New("acssim: profile weights are all zero")
		}
	}
	s.createInitial()
	return s, nil
}

// createInitial makes opts.Devices devices in bulk: the weighted mix is a
// smooth round-robin, so small fleets get the exact proportions.
func (s *Sim) createInitial() {
	n := s.opts.Devices
	s.devs = make([]*device, 0, n)
	cur := make([]int, len(s.weights))
	total := 0
	for _, w := range s.weights {
		total += w.w
	}
	r := rng{s: mix(uint64(s.opts.Seed))}
	for i := 0; i < n; i++ {
		best := 0
		for j, w := range s.weights {
			cur[j] += w.w
			if cur[j] > cur[best] {
				best = j
			}
		}
		cur[best] -= total
		p := s.weights[best].p
		var d *device
		for {
			d = s.newDevice(p, p.serial(&r))
			if _, dup := s.byID[d.id]; !dup {
				break
			}
		}
		d.flags |= fInitial | fOnline
		s.byID[d.id] = d
		s.devs = append(s.devs, d)
	}
	offline := int(float64(n)*s.opts.OfflineRatio + 0.5)
	retired := min(int(float64(n)*s.opts.RetireRatio+0.5), n-offline)
	perm := r.perm(n)
	for _, i := range perm[:offline] {
		s.devs[i].flags &^= fOnline
	}
	for _, i := range perm[offline : offline+retired] {
		s.devs[i].flags |= fRetired
	}
	sort.Slice(s.devs, func(i, j int) bool { return s.devs[i].id < s.devs[j].id })
	s.reindex()
}

func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(r.next() % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// reindex renumbers positions and rebuilds the registered-count tree.
func (s *Sim) reindex() {
	s.reg = newFenwick(len(s.devs))
	for i, d := range s.devs {
		d.pos = int32(i)
		if d.has(fRegistered) {
			s.reg.add(i, 1)
		}
	}
}

func (s *Sim) newDevice(p *profile, serial string) *device {
	idx := s.nextIdx
	s.nextIdx++
	seed := mix(uint64(s.opts.Seed)*0x100000001b3 ^ uint64(idx)*0x9e3779b1 ^ 0xd1)
	tpl := p.variants[seed%uint64(len(p.variants))]
	return &device{
		id: DeviceID(p.oui, p.productClass, serial), serial: serial,
		tpl: tpl, idx: idx, seed: seed,
	}
}

// DeviceIDs returns every simulated device's _id, sorted, including devices
// that have not informed yet.
func (s *Sim) DeviceIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, len(s.devs))
	for i, d := range s.devs {
		ids[i] = d.id
	}
	return ids
}

// AddDevice adds an online device of the named profile that has not
// informed yet and returns its _id. An empty serial is generated. The
// device bootstraps at its first Inform or, once the scheduler runs,
// within one inform interval.
func (s *Sim) AddDevice(profileName, serial string) (string, error) {
	p, ok := s.profiles[profileName]
	if !ok {
		return "", fmt.Errorf("acssim: unknown profile %q", profileName)
	}
	s.mu.Lock()
	if serial == "" {
		r := rng{s: mix(uint64(s.opts.Seed) ^ uint64(s.nextIdx)<<20 ^ 0xadd)}
		for {
			serial = p.serial(&r)
			if _, dup := s.byID[DeviceID(p.oui, p.productClass, serial)]; !dup {
				break
			}
		}
	}
	d := s.newDevice(p, serial)
	if _, dup := s.byID[d.id]; dup {
		s.mu.Unlock()
		return "", fmt.Errorf("%w: %s", ErrDuplicate, d.id)
	}
	d.flags |= fOnline
	s.byID[d.id] = d
	i := sort.Search(len(s.devs), func(i int) bool { return s.devs[i].id >= d.id })
	s.devs = append(s.devs, nil)
	copy(s.devs[i+1:], s.devs[i:])
	s.devs[i] = d
	s.reindex()
	s.mu.Unlock()
	if s.started.Load() {
		s.schedule(d, s.now().Add(s.wall(time.Duration(hashOf(d.seed, 0x5c)%uint64(s.informSecs))*time.Second)))
	}
	return d.id, nil
}

// SetOnline makes a device reachable or not. An offline device does not
// inform, and connection requests to it fail ("Device is offline").
func (s *Sim) SetOnline(id string, online bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byID[id]
	if d == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchDevice, id)
	}
	if online {
		d.flags |= fOnline
	} else {
		d.flags &^= fOnline
	}
	return nil
}

// SetLineRate sets a device's downstream line rate in Mbit/s (its upstream
// follows); download and upload tests and firmware downloads take it from
// the next transfer on. 0 returns to the rate derived from the device's seed.
func (s *Sim) SetLineRate(id string, mbps float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byID[id]
	if d == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchDevice, id)
	}
	if mbps < 0 {
		return fmt.Errorf("line rate %v Mbit/s: must not be negative", mbps)
	}
	if mbps > 0 || d.ext != nil {
		d.x().mbps = mbps
	}
	return nil
}

// SetUnresponsive makes a device accept connection requests without ever
// starting the session (a CPE behind a broken NAT or a hung CWMP client):
// tasks sent with connection_request answer "202 Task queued but not
// processed" after the online threshold, and the device stops informing.
func (s *Sim) SetUnresponsive(id string, on bool) error {
	return s.setFlag(id, fUnresponsive, on)
}

// setFlag sets or clears a device flag.
func (s *Sim) setFlag(id string, f uint32, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byID[id]
	if d == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchDevice, id)
	}
	if on {
		d.flags |= f
	} else {
		d.flags &^= f
	}
	return nil
}

// SetFailure makes every NBI request fail as f says until it is cleared
// with Failure{}.
func (s *Sim) SetFailure(f Failure) {
	if f == (Failure{}) {
		s.failure.Store(nil)
		return
	}
	s.failure.Store(&f)
}

// SetFSURL sets the file server base URL devices download from.
func (s *Sim) SetFSURL(u string) {
	s.mu.Lock()
	s.fsURL = u
	s.mu.Unlock()
}

// Provision returns a stored provision script.
func (s *Sim) Provision(name string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.colls["provisions"].get(name)
	if o == nil {
		return "", false
	}
	return o.str("script"), true
}

// Preset returns a stored preset document (with its _id).
func (s *Sim) Preset(name string) (json.RawMessage, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.colls["presets"].get(name)
	if o == nil {
		return nil, false
	}
	return json.RawMessage(appendJSON(nil, o)), true
}

// File returns a stored file's metadata and size.
func (s *Sim) File(name string) (FileMeta, int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f := s.files[name]
	if f == nil {
		return FileMeta{}, 0, false
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return FileMeta{
		FileType: deref(f.fileType), OUI: deref(f.oui), ProductClass: deref(f.productClass),
		Version: deref(f.version), UploadDate: f.uploaded,
	}, int64(f.size), true
}

// Downloads is how many Download RPCs (firmware or other files) the device
// received.
func (s *Sim) Downloads(id string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.byID[id]
	if d == nil || d.ext == nil || d.ext.dl == nil {
		return 0
	}
	return d.ext.dl.count
}

// Stats returns the current counters.
func (s *Sim) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stats{
		Devices: len(s.devs), Registered: s.reg.sum(len(s.devs)),
		Informs: s.informs.Load(), ExtCalls: s.ext.calls.Load(), ExtFaults: s.ext.faults.Load(),
		TasksPending: s.tasks.count(), Faults: s.faults.count(),
	}
	for _, d := range s.devs {
		if d.has(fOnline) && !d.has(fRebooting) {
			st.Online++
		}
	}
	return st
}

// wall converts a device-time duration to wall time.
func (s *Sim) wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.comp)
}

// uptimeAt is the device's UpTime in seconds at wall time at (ms).
func (s *Sim) uptimeAt(d *device, at int64) int64 {
	if d.bootAt == 0 {
		return 0
	}
	return d.upBase + int64(float64(at-d.bootAt)*s.comp/1000)
}

func (s *Sim) nowMS() int64 { return s.now().UnixMilli() }

// ctx is the context background device actions run under: Start's, or a
// never-cancelled one before Start.
func (s *Sim) ctx() context.Context {
	if p := s.baseCtx.Load(); p != nil {
		return *p
	}
	return context.Background()
}

// fenwick counts registered devices by position in O(log n).
type fenwick []int32

func newFenwick(n int) fenwick { return make(fenwick, n+1) }

func (f fenwick) add(i int, v int32) {
	for i++; i < len(f); i += i & -i {
		f[i] += v
	}
}

// sum counts positions [0, i).
func (f fenwick) sum(i int) int {
	n := 0
	for ; i > 0; i -= i & -i {
		n += int(f[i])
	}
	return n
}

// setRegistered flips the registered flag and the count tree together.
func (s *Sim) setRegistered(d *device, on bool) {
	if d.has(fRegistered) == on {
		return
	}
	if on {
		d.flags |= fRegistered
		s.reg.add(int(d.pos), 1)
	} else {
		d.flags &^= fRegistered
		s.reg.add(int(d.pos), -1)
	}
}

// Value returns what the simulated CPE holds at a parameter path, secrets
// included (documents read them back as ""): what a test checks a write
// against. ok is false for an unknown device or path, or an object.
func (s *Sim) Value(id, path string) (v any, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.byID[id]
	if d == nil {
		return nil, false
	}
	r, found := s.resolve(d, path)
	if !found || d.tpl.nodes[r.node].obj {
		return nil, false
	}
	return s.rawValue(d, r), true
}

// SetValue makes the simulated CPE hold v (a string, number or boolean) at
// a parameter path, as a device changes a value by itself: GenieACS's
// document shows it once it reads the parameter again (the next inform for
// an inform parameter such as SoftwareVersion, a refresh otherwise), with
// any bytes a CPE may send (a NUL in a firmware string). A later firmware
// download replaces a SoftwareVersion set here.
func (s *Sim) SetValue(id, path string, v any) error {
	switch v.(type) {
	case string, float64, bool:
	default:
		return fmt.Errorf("acssim: SetValue %s: a %T is not a parameter value", path, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.byID[id]
	if d == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchDevice, id)
	}
	r, found := s.resolve(d, path)
	if !found || d.tpl.nodes[r.node].obj {
		return fmt.Errorf("acssim: %s has no parameter %s", id, path)
	}
	d.setOvr(r, v, s.nowMS())
	return nil
}
