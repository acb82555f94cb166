package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The parts of govulncheck's JSON protocol (v1.0.0, golang.org/x/vuln
// internal/govulncheck) read here: a stream of messages, each one of config,
// progress, SBOM, osv or finding.
type message struct {
	Config  *config  `json:"config"`
	OSV     *osvItem `json:"osv"`
	Finding *finding `json:"finding"`
}

type config struct {
	ProtocolVersion string     `json:"protocol_version"`
	ScannerName     string     `json:"scanner_name"`
	ScannerVersion  string     `json:"scanner_version"`
	DB              string     `json:"db"`
	DBLastModified  *time.Time `json:"db_last_modified"`
	GoVersion       string     `json:"go_version"`
	ScanLevel       string     `json:"scan_level"`
}

type osvItem struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
}

type finding struct {
	OSV          string   `json:"osv"`
	FixedVersion string   `json:"fixed_version"`
	Trace        []*frame `json:"trace"`
}

// frame: Trace[0] is the vulnerable module, package or symbol; a symbol
// (Function set) means the code calls it, and the last frame is the caller
// in the scanned code.
type frame struct {
	Module   string    `json:"module"`
	Version  string    `json:"version"`
	Package  string    `json:"package"`
	Function string    `json:"function"`
	Receiver string    `json:"receiver"`
	Position *position `json:"position"`
}

type position struct {
	Filename string `json:"filename"`
	Line     int    `json:"line"`
}

// Vuln is one advisory that govulncheck matched, at its deepest level.
type Vuln struct {
	ID, Summary      string
	Module, Version  string
	Fixed            string
	Called, Imported bool // symbol level; package level
	Example          string
	exampleLen       int
}

// Report is one govulncheck run.
type Report struct {
	Config *config
	Vulns  map[string]*Vuln
}

// Read decodes a govulncheck -format json stream.
func Read(r io.Reader) (*Report, error) {
	rep := &Report{Vulns: map[string]*Vuln{}}
	summaries := map[string]string{}
	dec := json.NewDecoder(r)
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading govulncheck's JSON: %w", err)
		}
		switch {
		case m.Config != nil:
			rep.Config = m.Config
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f, top := m.Finding, m.Finding.Trace[0]
			v := rep.Vulns[f.OSV]
			if v == nil {
				v = &Vuln{ID: f.OSV, Module: top.Module, Version: top.Version}
				rep.Vulns[f.OSV] = v
			}
			if f.FixedVersion != "" {
				v.Fixed = f.FixedVersion
			}
			switch {
			case top.Function != "":
				// The most direct call; the same one on every run.
				ex := example(f.Trace)
				if !v.Called || len(f.Trace) < v.exampleLen || len(f.Trace) == v.exampleLen && ex < v.Example {
					v.Example, v.exampleLen = ex, len(f.Trace)
				}
				v.Called = true
			case top.Package != "":
				v.Imported = true
			}
		}
	}
	if rep.Config == nil {
		return nil, errors.New("no config message: is this govulncheck -format json output?")
	}
	for id, v := range rep.Vulns {
		v.Summary = summaries[id]
	}
	return rep, nil
}

func example(trace []*frame) string {
	name := func(f *frame) string {
		parts := strings.Split(f.Package, "/")
		s := parts[len(parts)-1]
		if len(parts) > 1 && majorRE.MatchString(s) { // echo/v4 -> echo
			s = parts[len(parts)-2]
		}
		if f.Receiver != "" {
			s += "." + strings.TrimPrefix(f.Receiver, "*")
		}
		return s + "." + f.Function
	}
	top, caller := trace[0], trace[len(trace)-1]
	s := name(caller)
	if caller.Position != nil {
		s = fmt.Sprintf("%s:%d: %s", caller.Position.Filename, caller.Position.Line, s)
	}
	if len(trace) > 1 {
		s += " -> " + name(top)
	}
	return s
}

// Accepted is a reviewed advisory that may stay while it has no fix.
type Accepted struct {
	ID, Module, Reason string
}

var (
	idRE    = regexp.MustCompile(`^GO-\d{4}-\d{4,}$`)
	majorRE = regexp.MustCompile(`^v[0-9]+$`)
)

// ParseAccepted reads lines of `GO-YYYY-NNNN module reason...`; blank
// lines and # comments are skipped.
func ParseAccepted(r io.Reader) (map[string]Accepted, error) {
	acc := map[string]Accepted{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 || !idRE.MatchString(f[0]) {
			return nil, fmt.Errorf("accepted file line %d: want `GO-YYYY-NNNN module reason`, got %q", n, line)
		}
		acc[f[0]] = Accepted{ID: f[0], Module: f[1], Reason: strings.Join(f[2:], " ")}
	}
	return acc, sc.Err()
}

// Judge prints the report and returns the exit code: 0, or 3 when code calls
// a vulnerable symbol that is not accepted, or accepted but fixed now (or
// found in another module than the one reviewed).
func (rep *Report) Judge(w io.Writer, acc map[string]Accepted) int {
	c := rep.Config
	mod := "unknown"
	if c.DBLastModified != nil {
		mod = c.DBLastModified.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(w, "govulncheck %s, %s, db %s (data of %s)\n", c.ScannerVersion, c.GoVersion, c.DB, mod)

	ids := make([]string, 0, len(rep.Vulns))
	for id := range rep.Vulns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var called, failed, imported, required int
	for _, id := range ids {
		v := rep.Vulns[id]
		switch {
		case !v.Called && v.Imported:
			imported++
			continue
		case !v.Called:
			required++
			continue
		}
		called++
		fixed := v.Fixed
		if fixed == "" {
			fixed = "none"
		}
		mv := v.Module
		if v.Version != "" {
			mv += "@" + v.Version
		}
		fmt.Fprintf(w, "\n%s: %s\n  %s, fixed in: %s\n  called, e.g.: %s\n", v.ID, v.Summary, mv, fixed, v.Example)
		a, ok := acc[id]
		switch {
		case !ok:
			failed++
			fmt.Fprintf(w, "  FAIL: reachable; move %s to a fixed version (more: https://pkg.go.dev/vuln/%s)\n", v.Module, id)
		case v.Fixed != "":
			failed++
			fmt.Fprintf(w, "  FAIL: accepted while unfixed, but %s is fixed in %s now: move to it and drop the line\n", v.Module, v.Fixed)
		case a.Module != v.Module:
			failed++
			fmt.Fprintf(w, "  FAIL: accepted for %s, found in %s: review it again\n", a.Module, v.Module)
		default:
			fmt.Fprintf(w, "  accepted (reviewed, no fix in this major version): %s\n", a.Reason)
		}
	}
	var stale []string
	for id := range acc {
		if v := rep.Vulns[id]; v == nil || !v.Called {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	for _, id := range stale {
		fmt.Fprintf(w, "\nnote: accepted %s is no longer reachable: drop its line\n", id)
	}
	fmt.Fprintf(w, "\n%d reachable (%d failing, %d accepted); not called: %d in imported packages, %d in required modules\n",
		called, failed, called-failed, imported, required)
	if failed > 0 {
		return 3
	}
	return 0
}
