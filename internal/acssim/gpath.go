package acssim

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// errInvalidPath is what GenieACS throws for a path its parser refuses
// (lib/common/path.ts): a provision that declares one faults with
// script.Error "Invalid parameter path".
var errInvalidPath = errors.New("Invalid parameter path")

// gpath is a parameter path as GenieACS parses it: dotted segments of
// [A-Za-z0-9_-], "*" wildcards, and aliases "[Key.Path:value,...]" that
// pick instances by their parameters' values. Anything else (":" in a tag,
// a trailing ".", a space) is refused.
type gpath struct {
	segs []gseg
	s    string
}

// gseg is one segment: a name, "*", or an alias.
type gseg struct {
	name    string
	alias   []aliasKey
	isAlias bool
}

// aliasKey is one "path:value" pair of an alias.
type aliasKey struct {
	path  *gpath
	value string
}

func (g gseg) wild() bool { return g.isAlias || g.name == "*" }

func (p *gpath) String() string { return p.s }

// parseGPath parses a path the way GenieACS's Path.parse does.
func parseGPath(s string) (*gpath, error) {
	segs, idx := parseSegments(s, 0)
	if idx < len(s) {
		return nil, errInvalidPath
	}
	return newGPath(segs), nil
}

func newGPath(segs []gseg) *gpath {
	parts := make([]string, len(segs))
	for i, s := range segs {
		if !s.isAlias {
			parts[i] = s.name
			continue
		}
		var b []byte
		b = append(b, '[')
		for j, a := range s.alias {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, a.path.s...)
			b = append(b, ':')
			b = appendJSString(b, a.value)
		}
		parts[i] = string(append(b, ']'))
	}
	return &gpath{segs: segs, s: strings.Join(parts, ".")}
}

// legalChar is a character allowed in a path segment.
func legalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func charAt(s string, i int) byte {
	if i >= len(s) {
		return 0
	}
	return s[i]
}

// parseSegments reads segments from index and returns where it stopped.
func parseSegments(p string, index int) ([]gseg, int) {
	var segs []gseg
	segStart, wildcard := index, -1
	for i := index; i <= len(p); i++ {
		c := charAt(p, i)
		switch {
		case c == '[' && i == segStart:
			idx, alias := parseAlias(p, i+1)
			if charAt(p, idx) != ']' {
				return segs, index
			}
			segs = append(segs, gseg{alias: alias, isAlias: true})
			i = idx + 1
			index = i
			segStart = i + 1
		case c == '*' && i == segStart:
			wildcard = i + 1
		case !legalChar(c) || i == wildcard:
			if i == segStart {
				return segs, index
			}
			segs = append(segs, gseg{name: p[segStart:i]})
			index = i
			if c != '.' {
				return segs, index
			}
			segStart = i + 1
		}
	}
	return segs, index
}

func skipSpaces(p string, i int) int {
	for charAt(p, i) == ' ' {
		i++
	}
	return i
}

// parseAlias reads "path:value" pairs up to the closing bracket; pairs are
// sorted so that equal aliases print the same.
func parseAlias(p string, index int) (int, []aliasKey) {
	alias := []aliasKey{}
	i := index
	for {
		j := skipSpaces(p, i)
		segs, idx := parseSegments(p, j)
		if idx == j {
			break
		}
		j = skipSpaces(p, idx)
		if charAt(p, j) != ':' {
			break
		}
		i = j + 1
		ni, value, ok := parseAliasValue(p, i)
		if !ok {
			break
		}
		i = ni
		alias = append(alias, aliasKey{path: newGPath(segs), value: value})
		index = i
		if charAt(p, index) != ',' {
			break
		}
		i++
	}
	sort.SliceStable(alias, func(a, b int) bool {
		if alias[a].path.s != alias[b].path.s {
			return alias[a].path.s < alias[b].path.s
		}
		return alias[a].value < alias[b].value
	})
	return index, alias
}

func parseAliasValue(p string, index int) (int, string, bool) {
	i := skipSpaces(p, index)
	if charAt(p, i) == '"' {
		for j := i + 1; j < len(p); j++ {
			if p[j] == '"' && p[j-1] != '\\' {
				j++
				v, err := parseJSON([]byte(p[i:j]))
				s, ok := v.(string)
				if err != nil || !ok {
					return index, "", false
				}
				return j, s, true
			}
		}
		return index, "", false
	}
	for ; i < len(p); i++ {
		if c := p[i]; c == ']' || c == ',' {
			break
		}
	}
	return i, strings.TrimSpace(p[index:i]), true
}

// encodeTag turns a tag into the path segment GenieACS keeps it under in a
// session ("org:acme" -> "org0x3Aacme", lib/util.ts): provisions declare
// and read tags in this form, and GenieACS decodes them when it saves.
func encodeTag(tag string) string {
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if legalChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	s := replaceZeroX(b.String(), "0%78")
	return strings.ReplaceAll(s, "%", "0x")
}

// decodeTag reverses encodeTag.
func decodeTag(seg string) (string, error) {
	return url.PathUnescape(replaceZeroX(seg, "%"))
}

// replaceZeroX replaces every "0x" followed by two of [0-9A-Z] with with,
// as the regular expression /0x(?=[0-9A-Z]{2})/g does.
func replaceZeroX(s, with string) string {
	up := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' }
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+3 < len(s) && s[i] == '0' && s[i+1] == 'x' && up(s[i+2]) && up(s[i+3]) {
			b.WriteString(with)
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
