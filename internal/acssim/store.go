package acssim

import (
	"io"
	"time"
)

// docStore is a small collection of JSON documents keyed by _id, in
// insertion order (presets, provisions, virtual parameters, objects).
type docStore struct {
	docs []*object
}

func (c *docStore) find(id string) int {
	for i, o := range c.docs {
		if o.str("_id") == id {
			return i
		}
	}
	return -1
}

func (c *docStore) get(id string) *object {
	if i := c.find(id); i >= 0 {
		return c.docs[i]
	}
	return nil
}

// put replaces a document with the same _id in place, or appends it.
func (c *docStore) put(o *object) {
	o = o.withIDFirst()
	if i := c.find(o.str("_id")); i >= 0 {
		c.docs[i] = o
		return
	}
	c.docs = append(c.docs, o)
}

func (c *docStore) del(id string) {
	if i := c.find(id); i >= 0 {
		c.docs = append(c.docs[:i:i], c.docs[i+1:]...)
	}
}

// task is one document of the tasks collection.
type task struct {
	id      objectID
	device  string
	name    string
	ts      int64 // ms
	expiry  int64 // ms, 0 = none
	doc     *object
	deleted bool
}

// taskStore keeps tasks in insertion order with per-device and per-id
// indexes; deletion is lazy so a fan-out of 10^5 tasks stays linear.
type taskStore struct {
	list  []*task
	byID  map[objectID]*task
	byDev map[string][]*task
	dead  int
}

func newTaskStore() taskStore {
	return taskStore{byID: map[objectID]*task{}, byDev: map[string][]*task{}}
}

func (ts *taskStore) count() int { return len(ts.byID) }

func (ts *taskStore) add(t *task) {
	ts.list = append(ts.list, t)
	ts.byID[t.id] = t
	ts.byDev[t.device] = append(ts.byDev[t.device], t)
}

func (ts *taskStore) remove(t *task) {
	if t.deleted {
		return
	}
	t.deleted = true
	delete(ts.byID, t.id)
	dev := ts.byDev[t.device]
	for i, x := range dev {
		if x == t {
			dev = append(dev[:i:i], dev[i+1:]...)
			break
		}
	}
	if len(dev) == 0 {
		delete(ts.byDev, t.device)
	} else {
		ts.byDev[t.device] = dev
	}
	ts.dead++
	if ts.dead > 64 && ts.dead*2 > len(ts.list) {
		live := ts.list[:0]
		for _, x := range ts.list {
			if !x.deleted {
				live = append(live, x)
			}
		}
		clear(ts.list[len(live):])
		ts.list = live
		ts.dead = 0
	}
}

// all iterates live tasks in insertion order.
func (ts *taskStore) all(f func(*task) bool) {
	for _, t := range ts.list {
		if !t.deleted && !f(t) {
			return
		}
	}
}

// fault is one document of the faults collection.
type fault struct {
	id, device, channel string
	ts                  int64
	code, message       string
	detail              *object // nil: no detail field (timeouts)
	retries             int
	provisions          string
	raw                 *object // a document stored as-is (PutFaultDocument)
}

func (f *fault) doc() *object {
	if f.raw != nil {
		return f.raw
	}
	o := &object{}
	o.set("_id", f.id)
	o.set("device", f.device)
	o.set("channel", f.channel)
	o.set("timestamp", msTime(f.ts))
	o.set("code", f.code)
	o.set("message", f.message)
	if f.detail != nil {
		o.set("detail", f.detail)
	}
	o.set("retries", float64(f.retries))
	o.set("provisions", f.provisions)
	return o
}

// faultStore keeps faults in insertion order.
type faultStore struct {
	list []*fault
	byID map[string]*fault
}

func newFaultStore() faultStore { return faultStore{byID: map[string]*fault{}} }

func (fs *faultStore) count() int { return len(fs.list) }

func (fs *faultStore) get(id string) *fault { return fs.byID[id] }

// put records a fault on a channel: a repeat keeps the document and counts
// a retry, as GenieACS does.
func (fs *faultStore) put(f *fault) *fault {
	if old := fs.byID[f.id]; old != nil {
		f.retries = old.retries + 1
		*old = *f
		return old
	}
	fs.list = append(fs.list, f)
	fs.byID[f.id] = f
	return f
}

func (fs *faultStore) del(id string) bool {
	f := fs.byID[id]
	if f == nil {
		return false
	}
	delete(fs.byID, id)
	for i, x := range fs.list {
		if x == f {
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			break
		}
	}
	return true
}

// delDevice removes every fault of a device ("^<id>:").
func (fs *faultStore) delDevice(device string) {
	kept := fs.list[:0]
	for _, f := range fs.list {
		if f.device == device {
			delete(fs.byID, f.id)
			continue
		}
		kept = append(kept, f)
	}
	clear(fs.list[len(kept):])
	fs.list = kept
}

// file is one stored file (GridFS fs.files plus its bytes).
type file struct {
	name                                 string
	data                                 pieces // the bytes, as they arrived
	size                                 int
	uploaded                             time.Time
	fileType, oui, productClass, version *string
	etag                                 string
}

// pieces are a file's bytes in the pieces they arrived in (a chunked
// upload is never joined into one copy).
type pieces [][]byte

// ReadAt reads from the pieces as from one slice.
func (ps pieces) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for _, p := range ps {
		if off >= int64(len(p)) {
			off -= int64(len(p))
			continue
		}
		c := copy(b[n:], p[off:])
		n, off = n+c, 0
		if n == len(b) {
			return n, nil
		}
	}
	return n, io.EOF
}

// reader reads the file from its start.
func (f *file) reader() io.ReadSeeker { return io.NewSectionReader(f.data, 0, int64(f.size)) }

func (f *file) doc() *object {
	meta := &object{}
	str := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	meta.set("fileType", str(f.fileType))
	meta.set("oui", str(f.oui))
	meta.set("productClass", str(f.productClass))
	meta.set("version", str(f.version))
	o := &object{}
	o.set("_id", f.name)
	o.set("length", float64(f.size))
	o.set("chunkSize", float64(261120))
	o.set("uploadDate", f.uploaded)
	o.set("filename", f.name)
	o.set("metadata", meta)
	return o
}
