package lint_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// immutable are the exported package-level variables allowed although
// their value is not an error sentinel, keyed by the package's directory
// (from the module root) and name, each with why nothing changes it.
var immutable = map[string]string{
	"migrations.FS": "//go:embed needs a variable; an embed.FS is read-only and nothing assigns it",
	"static.FS":     "//go:embed needs a variable; an embed.FS is read-only and nothing assigns it",
}

// No exported package-level variable outside tests: settings live in
// values held by services, fixed lists are functions or constants. Error
// sentinels (errors.New, fmt.Errorf) are immutable by convention; the
// immutable map lists the few other exceptions.
func TestNoExportedMutableGlobals(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	found, err := exportedVars(root)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	seen := map[string]bool{}
	for _, v := range found {
		seen[v.key] = true
		if _, ok := immutable[v.key]; !ok && !v.sentinel {
			bad = append(bad, v.pos+": "+v.key)
		}
	}
	if len(bad) > 0 {
		t.Errorf("exported package-level variables (hold the value in a service and pass it on, or make it a function or constant):\n\t%s",
			strings.Join(bad, "\n\t"))
	}
	for k := range immutable {
		if !seen[k] {
			t.Errorf("the allow list names %s, which is no longer declared: drop it", k)
		}
	}
}

// The check finds what it must (and not what it must not).
func TestExportedVarsFindsThem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n")
	write("p/p.go", `package p

import (
	"errors"
	"fmt"
	"time"
)

var ErrA = errors.New("a")
var (
	ErrB      = fmt.Errorf("b: %w", ErrA)
	Window    = 10 * time.Minute
	private   = []string{"x"}
	Typed     time.Duration
	One, two  = 1, 2
	_         = private
)
`)
	write("p/p_test.go", "package p\n\nvar InTest = 1\n")
	write("testdata/q.go", "package q\n\nvar Ignored = 1\n")
	found, err := exportedVars(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, v := range found {
		got[v.key] = v.sentinel
	}
	want := map[string]bool{"p.ErrA": true, "p.ErrB": true, "p.Window": false, "p.Typed": false, "p.One": false}
	if len(got) != len(want) {
		t.Fatalf("found %v, want %v", got, want)
	}
	for k, s := range want {
		if g, ok := got[k]; !ok || g != s {
			t.Errorf("%s: found %v (sentinel %v), want sentinel %v", k, ok, g, s)
		}
	}
}

type exported struct {
	key      string // directory from the module root, ".", name
	pos      string // file:line
	sentinel bool   // errors.New(...) or fmt.Errorf(...)
}

// exportedVars lists the exported package-level variables of every
// non-test Go file under root (testdata, vendor and hidden directories
// aside).
func exportedVars(root string) ([]exported, error) {
	var out []exported
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
				name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !n.IsExported() {
						continue
					}
					var value ast.Expr
					if len(vs.Values) == len(vs.Names) {
						value = vs.Values[i]
					}
					p := fset.Position(n.Pos())
					file, _ := filepath.Rel(root, p.Filename)
					out = append(out, exported{key: filepath.ToSlash(rel) + "." + n.Name,
						pos: filepath.ToSlash(file) + ":" + strconv.Itoa(p.Line), sentinel: isSentinel(value)})
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b exported) int { return strings.Compare(a.pos, b.pos) })
	return out, err
}

// isSentinel reports whether e is errors.New(...) or fmt.Errorf(...).
func isSentinel(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && (pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && sel.Sel.Name == "Errorf")
}

// moduleRoot is the directory of the module's go.mod, above this one.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
