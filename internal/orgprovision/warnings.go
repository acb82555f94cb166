package orgprovision

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/devtag"
	"github.com/fyberpay/cpe/internal/org"
)

// Warning is something in a script that is probably a mistake but does
// not stop it being saved: a call GenieACS does not provide, or a declare
// of a path none of the organization's devices has in GenieACS.
type Warning struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// provided are the functions a provision script can call without defining
// them: GenieACS's sandbox and JavaScript's own globals.
var provided = []string{"declare", "clear", "commit", "ext", "log",
	"Date", "Math", "JSON", "Object", "Array", "String", "Number", "Boolean", "RegExp", "Error", "TypeError", "RangeError",
	"parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI",
	"Symbol", "Map", "Set", "Promise"}

// virtualRoots are GenieACS's paths that are not the device's parameters.
var virtualRoots = []string{"Tags", "DeviceID", "Events", "Downloads", "Reboot", "FactoryReset", "VirtualParameters"}

// maxPathChecks bounds the NBI look-ups one script costs.
const maxPathChecks = 20

// Warnings lists a script's probable mistakes (none for a script that does
// not parse: Check reports those). Paths are looked up in the
// organization's device documents in GenieACS, which hold only what was
// fetched: a path no device has fetched yet is reported too.
func (s *Service) Warnings(ctx context.Context, orgID uuid.UUID, script string) ([]Warning, error) {
	const prefix = "(function(){\n"
	prog, err := parser.ParseFile(nil, "", prefix+script+"\n})", 0)
	if err != nil {
		return nil, nil
	}
	pos := func(idx int) (int, int) {
		p := prog.File.Position(idx)
		return max(p.Line-1, 1), p.Column
	}
	declared := map[string]bool{}
	type call struct {
		name string
		idx  int
		path string // a declare's or clear's literal path
	}
	var calls []call
	walk(reflect.ValueOf(prog), func(n any) {
		switch x := n.(type) {
		case *ast.FunctionLiteral:
			if x.Name != nil {
				declared[string(x.Name.Name)] = true
			}
		case *ast.Binding:
			if id, ok := x.Target.(*ast.Identifier); ok {
				declared[string(id.Name)] = true
			}
		case *ast.CallExpression:
			id, ok := x.Callee.(*ast.Identifier)
			if !ok {
				return
			}
			c := call{name: string(id.Name), idx: int(id.Idx)}
			if (c.name == "declare" || c.name == "clear") && len(x.ArgumentList) > 0 {
				if lit, ok := x.ArgumentList[0].(*ast.StringLiteral); ok {
					c.path = string(lit.Value)
				}
			}
			calls = append(calls, c)
		}
	})
	var out []Warning
	checked := map[string]bool{}
	var slug string
	for _, c := range calls {
		line, col := pos(c.idx - 1) // an Idx counts from 1
		if !declared[c.name] && !slices.Contains(provided, c.name) {
			out = append(out, Warning{line, col, fmt.Sprintf("%s() is not a function GenieACS provides (declare, clear, commit, ext, log) nor one this script defines", c.name)})
			continue
		}
		check := lookupPath(c.path)
		if check == "" || checked[check] || len(checked) >= maxPathChecks || s.acs == nil {
			continue
		}
		checked[check] = true
		if slug == "" {
			o, err := org.ByID(ctx, s.pool, orgID)
			if err != nil {
				return nil, err
			}
			slug = o.Slug
		}
		n, err := s.acs.CountDevices(ctx, map[string]any{"_tags": devtag.Org(slug), check + "._object": map[string]any{"$exists": true}})
		if err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, Warning{line, col, fmt.Sprintf("none of your devices has %s in GenieACS (it knows only what was fetched: a path no device has reported yet shows here too)", check)})
		}
	}
	return out, nil
}

// lookupPath is the part of a declared path that can be looked up: up to
// its first wildcard or alias, "" for GenieACS's virtual paths.
func lookupPath(p string) string {
	segs := strings.Split(p, ".")
	if p == "" || slices.Contains(virtualRoots, segs[0]) {
		return ""
	}
	for i, s := range segs {
		if s == "" || strings.ContainsAny(s, "*[") {
			segs = segs[:i]
			break
		}
	}
	if len(segs) < 2 {
		return ""
	}
	return strings.Join(segs, ".")
}

// walk calls visit for every AST node below v (a reflective walk: goja's
// ast package has no visitor).
func walk(v reflect.Value, visit func(any)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.Type().Elem().PkgPath() == "github.com/dop251/goja/ast" {
			visit(v.Interface())
		}
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() != reflect.Struct {
			return
		}
		walk(v.Elem(), visit)
	case reflect.Struct:
		if v.Type().PkgPath() != "github.com/dop251/goja/ast" {
			return // file.File and the like
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), visit)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walk(v.Index(i), visit)
		}
	}
}
