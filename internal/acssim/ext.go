package acssim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Extensions: ext("script", "fn", args...) in a provision runs
// GENIEACS_EXT_DIR/script.js in Node, as GenieACS's genieacs-ext does: one
// long-lived child process per script (the module is required once, so
// module-level state persists between calls), fn(args, callback) with the
// arguments as strings, EXT_TIMEOUT (3 s) per call. Faults:
//   - callback(err): "ext.<err.name>" with {name, message, stack};
//   - a script that cannot be loaded: the require error, as ext.Error,
//     for every call waiting on that process (which then exits);
//   - a missing function: "ext" "No such function '<fn>' in extension
//     '<script>'";
//   - no answer in time: "timeout" "Extension timed out".
// The protocol between the simulator and the child is its own (JSON lines
// on two pipes); the child's stdout and stderr go to the simulator's log.

// extHost is the child's program. It is written from genieacs-ext's
// behaviour, not its code.
const extHost = `"use strict";
const fs = require("fs");
const readline = require("readline");
const script = process.argv[process.argv.length - 1];
const out = fs.createWriteStream(null, { fd: 4 });
const send = (m) => out.write(JSON.stringify(m) + "\n");
const pending = new Set();
let mod = null;
function toFault(err, prefix) {
  if (!err) return null;
  if (!err.name) return { code: prefix, message: String(err) };
  return { code: prefix + "." + err.name, message: err.message,
    detail: { name: err.name, message: err.message, stack: err.stack } };
}
process.on("uncaughtException", (err) => {
  const f = toFault(err, "ext");
  for (const id of pending) send([id, f, null]);
  pending.clear();
  out.end(() => process.exit(1));
});
const rl = readline.createInterface({ input: fs.createReadStream(null, { fd: 3 }) });
rl.on("line", (line) => {
  const [id, fn, args] = JSON.parse(line);
  pending.add(id);
  if (!mod) {
    const dir = process.env.GENIEACS_EXT_DIR;
    process.chdir(dir);
    mod = require(dir + "/" + script);
  }
  if (typeof mod[fn] !== "function") {
    pending.delete(id);
    send([id, { code: "ext", message: "No such function '" + fn + "' in extension '" + script + "'" }, null]);
    return;
  }
  mod[fn](args, (err, res) => {
    if (!pending.delete(id)) return;
    send([id, toFault(err, "ext"), res === undefined ? null : res]);
  });
});
rl.on("close", () => process.exit(0));
`

// extResult is one call's answer: a fault or the JSON result.
type extResult struct {
	fault *engineFault
	json  string
}

// extProc is one running extension script.
type extProc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	mu      sync.Mutex // writes to in
	pending sync.Map   // id -> chan extResult
	dead    chan struct{}
}

// extRunner starts and talks to the extension processes of one Sim.
type extRunner struct {
	s      *Sim
	mu     sync.Mutex
	procs  map[string]*extProc
	nextID atomic.Int64
	calls  atomic.Int64
	faults atomic.Int64
	closed bool
}

// call runs script.fn(args...) and waits for its answer.
func (x *extRunner) call(args []string) extResult {
	x.calls.Add(1)
	res := x.callOnce(args)
	if res.fault != nil {
		x.faults.Add(1)
	}
	return res
}

func (x *extRunner) callOnce(args []string) extResult {
	if len(args) < 2 {
		return extResult{fault: &engineFault{code: "ext", message: "No such function 'undefined' in extension '" + firstOr(args, "undefined") + "'"}}
	}
	script, fn := args[0], args[1]
	if x.s.opts.ExtDir == "" {
		msg := "Cannot find module '" + script + "': GENIEACS_EXT_DIR is not set"
		return extResult{fault: errFault("ext", "Error", msg)}
	}
	p, err := x.proc(script)
	if err != nil {
		return extResult{fault: errFault("ext", err.Error(), err.Error())}
	}
	id := strconv.FormatInt(x.nextID.Add(1), 16)
	ch := make(chan extResult, 1)
	p.pending.Store(id, ch)
	defer p.pending.Delete(id)
	line, _ := json.Marshal([]any{id, fn, args[2:]})
	p.mu.Lock()
	_, werr := p.in.Write(append(line, '\n'))
	p.mu.Unlock()
	if werr != nil {
		return extResult{fault: errFault("ext", "Error", "extension process "+script+" is gone: "+werr.Error())}
	}
	timer := time.NewTimer(x.s.opts.ExtTimeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r
	case <-p.dead:
		select {
		case r := <-ch:
			return r
		default:
		}
		return extResult{fault: errFault("ext", "Error", "extension process "+script+" exited")}
	case <-timer.C:
		return extResult{fault: &engineFault{code: "timeout", message: "Extension timed out"}}
	}
}

func firstOr(a []string, def string) string {
	if len(a) > 0 {
		return a[0]
	}
	return def
}

// errFault is a fault with an Error-shaped detail.
func errFault(prefix, name, msg string) *engineFault {
	det := &object{}
	det.set("name", name)
	det.set("message", msg)
	det.set("stack", name+": "+msg)
	return &engineFault{code: prefix + "." + name, message: msg, detail: det}
}

// proc returns the running process of script, starting it when needed.
func (x *extRunner) proc(script string) (*extProc, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil, fmt.Errorf("simulator closed")
	}
	if p := x.procs[script]; p != nil {
		select {
		case <-p.dead:
		default:
			return p, nil
		}
	}
	node := x.s.opts.Node
	if node == "" {
		node = "node"
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd := exec.Command(node, "-e", extHost, "--", script)
	cmd.Env = append(append(os.Environ(), "GENIEACS_EXT_DIR="+x.s.opts.ExtDir), x.s.opts.ExtEnv...)
	cmd.Dir = x.s.opts.ExtDir
	cmd.ExtraFiles = []*os.File{inR, outW} // fds 3 and 4
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start %s: %w", node, err)
	}
	inR.Close()
	outW.Close()
	p := &extProc{cmd: cmd, in: inW, dead: make(chan struct{})}
	for _, r := range []io.Reader{stdout, stderr} {
		go func() {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				x.s.log.Info(fmt.Sprintf("Ext %s(%d): %s", script, cmd.Process.Pid, sc.Text()))
			}
		}()
	}
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var msg []json.RawMessage
			if json.Unmarshal(sc.Bytes(), &msg) != nil || len(msg) != 3 {
				continue
			}
			var id string
			_ = json.Unmarshal(msg[0], &id)
			v, ok := p.pending.Load(id)
			if !ok {
				continue
			}
			var res extResult
			if string(msg[1]) != "null" {
				res.fault = decodeExtFault(msg[1])
			} else {
				res.json = string(msg[2])
			}
			v.(chan extResult) <- res
		}
		outR.Close()
		_ = cmd.Wait()
		close(p.dead)
	}()
	if x.procs == nil {
		x.procs = map[string]*extProc{}
	}
	x.procs[script] = p
	return p, nil
}

func decodeExtFault(raw json.RawMessage) *engineFault {
	var f struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(raw, &f) != nil {
		return &engineFault{code: "ext", message: string(raw)}
	}
	ef := &engineFault{code: f.Code, message: f.Message}
	if len(f.Detail) > 0 && string(f.Detail) != "null" {
		if v, err := parseJSON(f.Detail); err == nil {
			if o, ok := v.(*object); ok {
				ef.detail = o
			}
		}
	}
	return ef
}

// close stops every extension process.
func (x *extRunner) close() {
	x.mu.Lock()
	x.closed = true
	procs := x.procs
	x.procs = nil
	x.mu.Unlock()
	for _, p := range procs {
		_ = p.in.Close()
		select {
		case <-p.dead:
		case <-time.After(2 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
}
