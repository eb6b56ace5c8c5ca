package release

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/rewrite"
)

// Lookup is the string literal the release's values set at path
// (["webhook", "image", "tag"]), and whether there is one. A value that
// is not a string literal written in the module is not found.
func (r *Release) Lookup(path []string) (string, bool) {
	want := r.want(path)
	a, _, _, err := find(r.anchor, want, 0)
	if err != nil || a == nil {
		return "", false
	}
	s, ok := unwrap(a.Value).(*syntax.String)
	if !ok {
		return "", false
	}
	return s.Literal()
}

func (r *Release) want(path []string) []string {
	return slices.Concat(r.prefix, []string{"values"}, path)
}

// Set returns the edit of f that makes the release's values set path to
// value: the string literal already bound there replaced, or a new binding
// `a.b.c = "value";` in the innermost set of the values the module writes
// that path in, after its last binding and indented like it (on the same
// line when the set is written on one line). f must be the file Find read.
func (r *Release) Set(f *syntax.File, path []string, value string) (rewrite.Edit, error) {
	want := r.want(path)
	a, set, rest, err := find(r.anchor, want, 0)
	if err != nil {
		return rewrite.Edit{}, fmt.Errorf("setting values.%s of helm release %s: %w", strings.Join(path, "."), r.Name, err)
	}
	if a != nil {
		s, ok := unwrap(a.Value).(*syntax.String)
		if !ok {
			return rewrite.Edit{}, fmt.Errorf("setting values.%s of helm release %s: it is bound to an expression that is not a string", strings.Join(path, "."), r.Name)
		}
		return rewrite.Edit{Start: s.Start, End: s.End, New: rewrite.Quoted(value)}, nil
	}
	bind := attrPath(rest) + " = " + rewrite.Quoted(value) + ";"
	return insert(f.Src, set, rest, bind), nil
}

// find walks want down from set: it returns the binding whose path is want
// (a nil binding when there is none), the innermost set on the way and the
// rest of want below it. A binding on the way whose value is not a set
// written here is an error: a new binding there would clash with it.
func find(set *syntax.AttrSet, want []string, depth int) (*syntax.Assign, *syntax.AttrSet, []string, error) {
	if depth > maxDepth {
		return nil, nil, nil, fmt.Errorf("the values are nested too deeply")
	}
	for _, b := range set.Bindings {
		a, ok := b.(*syntax.Assign)
		if !ok {
			if in, ok := b.(*syntax.Inherit); ok {
				for _, n := range in.Names {
					if n.Static && n.Name == want[0] {
						return nil, nil, nil, fmt.Errorf("%s is inherited, so pinner cannot add to it", n.Name)
					}
				}
			}
			continue
		}
		names, ok := staticPath(a.Path)
		if !ok || len(names) > len(want) || !slices.Equal(names, want[:len(names)]) {
			continue
		}
		if len(names) == len(want) {
			return a, set, nil, nil
		}
		inner, ok := setOf(a.Value)
		if !ok {
			return nil, nil, nil, fmt.Errorf("%s is not an attribute set written in the module", strings.Join(names, "."))
		}
		return find(inner, want[len(names):], depth+1)
	}
	return nil, set, want, nil
}

// setOf is the attribute set e is, seen through parentheses and the
// module system's wrappers (lib.mkDefault { … }, lib.mkIf c { … }).
func setOf(e syntax.Expr) (*syntax.AttrSet, bool) {
	for range maxDepth {
		switch x := unwrap(e).(type) {
		case *syntax.AttrSet:
			return x, true
		case *syntax.Apply:
			if !strings.HasPrefix(head(x.Fn), "mk") {
				return nil, false
			}
			e = x.Arg
			continue
		}
		return nil, false
	}
	return nil, false
}

// head is the last name of the function an application calls:
// "mkIf" of `lib.mkIf cond`.
func head(e syntax.Expr) string {
	for range maxDepth {
		switch x := unwrap(e).(type) {
		case *syntax.Apply:
			e = x.Fn
			continue
		case *syntax.Select:
			if n := x.Path[len(x.Path)-1]; n.Static {
				return n.Name
			}
		case *syntax.Ident:
			return x.Name
		}
		return ""
	}
	return ""
}

// insert places bind in set: after the binding sharing the longest prefix
// with path (the module's grouping of its dotted values), else after the
// last binding, else inside the braces.
func insert(src []byte, set *syntax.AttrSet, path []string, bind string) rewrite.Edit {
	var after syntax.Node
	best := -1
	for _, b := range set.Bindings {
		n := 0
		if a, ok := b.(*syntax.Assign); ok {
			names, _ := staticPath(a.Path)
			for n < len(names) && n < len(path) && names[n] == path[n] {
				n++
			}
		}
		if n >= best {
			best, after = n, b
		}
	}
	if after == nil {
		// An empty set: `{ }` or `{}`.
		at := set.LBrace.End
		return rewrite.Edit{Start: at, End: at, New: " " + bind + " "}
	}
	end := after.NodeSpan().End
	start := after.NodeSpan().Start
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	indent := src[lineStart:start]
	multiLine := bytes.IndexByte(src[set.LBrace.End:set.RBrace.Start], '\n') >= 0
	if multiLine && len(bytes.TrimLeft(indent, " \t")) == 0 {
		return rewrite.Edit{Start: end, End: end, New: "\n" + string(indent) + bind}
	}
	return rewrite.Edit{Start: end, End: end, New: " " + bind}
}

// attrPath spells names as a Nix attribute path, quoting the names that
// are not identifiers.
func attrPath(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if isIdentName(n) {
			out[i] = n
		} else {
			out[i] = rewrite.Quoted(n)
		}
	}
	return strings.Join(out, ".")
}

var keywords = map[string]bool{"if": true, "then": true, "else": true, "assert": true, "with": true, "let": true, "in": true, "rec": true, "inherit": true, "or": true}

func isIdentName(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '\''):
		default:
			return false
		}
	}
	return true
}
