package scan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Where a site is written: its attr path and the binding it is the value
// of, read off the syntax tree by descending from the root to the node,
// child by child, by byte span. This is a definition, not a second walk
// to keep in step with the scanner's: a node's attr path is the names of
// the bindings around it as written — a set's bindings add their names, a
// list its index, and a value bound in a let, or as a lambda's default,
// starts afresh from its own name.
//
// The binding a node is the value of is the innermost binding whose value
// it is, through parentheses, applications (`lib.mkDefault "x"`), the
// branches of an `if`, and the bodies of let, with and assert.

// location is a node's attr path, in segments, and binding.
type location struct {
	path []pathSeg
	decl syntax.Node
}

type pathSeg struct {
	name *syntax.AttrName // nil for an index or a raw name
	raw  string
	idx  int
	kind segKind
}

type segKind uint8

const (
	segAttr segKind = iota
	segRaw
	segIdx
)

// locate finds target (a node of the file) by its span. The path it
// returns is scratch space the next locate reuses: use it at once.
func (s *scanner) locate(target syntax.Node) location {
	loc := location{path: s.pathBuf[:0]}
	defer func() { s.pathBuf = loc.path[:0] }()
	sp := target.NodeSpan()
	within := func(n syntax.Node) bool {
		if n == nil {
			return false
		}
		ns := n.NodeSpan()
		return ns.Start <= sp.Start && sp.End <= ns.End
	}
	x := s.f.Root
	// Each step moves into a child: the depth of the tree bounds the loop.
	for x != nil && syntax.Node(x) != target {
		var next syntax.Expr
		keep := false // the child is still the value of loc.decl
		switch n := x.(type) {
		case *syntax.Paren:
			next, keep = n.X, true
		case *syntax.String:
			next = interpWithin(n.Parts, within)
		case *syntax.Path:
			next = interpWithin(n.Parts, within)
		case *syntax.List:
			i := sort.Search(len(n.Elems), func(i int) bool { return n.Elems[i].NodeSpan().End >= sp.End })
			if i < len(n.Elems) && within(n.Elems[i]) {
				next = n.Elems[i]
				loc.path = append(loc.path, pathSeg{idx: i, kind: segIdx})
			}
		case *syntax.AttrSet:
			next = s.locateIn(n.Bindings, target, &loc, false)
		case *syntax.LegacyLet:
			next = s.locateIn(n.Bindings, target, &loc, true)
		case *syntax.Let:
			if within(n.Body) {
				next, keep = n.Body, true
			} else {
				next = s.locateIn(n.Bindings, target, &loc, true)
			}
		case *syntax.Lambda:
			if within(n.Body) {
				next = n.Body
				break
			}
			if n.Formals != nil {
				for _, f := range n.Formals.List {
					if f.Default != nil && within(f.Default) {
						loc.path = append(loc.path[:0], pathSeg{raw: f.Name.Name, kind: segRaw})
						loc.decl = f
						next, keep = f.Default, true
						break
					}
				}
			}
		case *syntax.Select:
			next = firstWithin(within, n.X, n.Default)
			if next == nil {
				next = nameWithin(n.Path, within)
			}
		case *syntax.HasAttr:
			next = firstWithin(within, n.X)
			if next == nil {
				next = nameWithin(n.Path, within)
			}
		case *syntax.Apply:
			if within(n.Arg) {
				next, keep = n.Arg, true
			} else {
				next = firstWithin(within, n.Fn)
			}
		case *syntax.Unary:
			next = firstWithin(within, n.X)
		case *syntax.Binary:
			next = firstWithin(within, n.X, n.Y)
		case *syntax.If:
			if within(n.Then) || within(n.Else) {
				next, keep = firstWithin(within, n.Then, n.Else), true
			} else {
				next = firstWithin(within, n.Cond)
			}
		case *syntax.Assert:
			if within(n.Body) {
				next, keep = n.Body, true
			} else {
				next = firstWithin(within, n.Cond)
			}
		case *syntax.With:
			if within(n.Body) {
				next, keep = n.Body, true
			} else {
				next = firstWithin(within, n.Env)
			}
		}
		if next == nil {
			break
		}
		if !keep && !isBindingValue(x, next, loc.decl) {
			loc.decl = nil
		}
		x = next
	}
	return loc
}

// isBindingValue reports whether next is the value of decl, entered from
// the set or let x: locateIn sets decl as it steps into a value.
func isBindingValue(x, next syntax.Expr, decl syntax.Node) bool {
	switch d := decl.(type) {
	case *syntax.Assign:
		switch x.(type) {
		case *syntax.AttrSet, *syntax.Let, *syntax.LegacyLet:
			return d.Value == next
		}
	}
	return false
}

// locateIn steps into the binding of bs holding target: the value of an
// Assign (its names added to the path, from a fresh start in a let), the
// source of an inherit, or an expression in a dynamic name. It returns
// nil when target is a binding itself (loc then holds the set's path and
// the binding) or lies in none.
func (s *scanner) locateIn(bs []syntax.Binding, target syntax.Node, loc *location, let bool) syntax.Expr {
	sp := target.NodeSpan()
	i := sort.Search(len(bs), func(i int) bool { return bs[i].NodeSpan().End >= sp.End })
	if i == len(bs) {
		return nil
	}
	b := bs[i]
	if bsp := b.NodeSpan(); bsp.Start > sp.Start {
		return nil
	}
	if let {
		loc.path = loc.path[:0]
	}
	switch b := b.(type) {
	case *syntax.Assign:
		if syntax.Node(b) == target {
			// The set a binding writes into: its path without the last
			// name.
			for _, n := range b.Path[:max(len(b.Path)-1, 0)] {
				loc.path = append(loc.path, pathSeg{name: n, kind: segAttr})
			}
			loc.decl = b
			return nil
		}
		if v := b.Value; v != nil && v.NodeSpan().Start <= sp.Start && sp.End <= v.NodeSpan().End {
			for _, n := range b.Path {
				loc.path = append(loc.path, pathSeg{name: n, kind: segAttr})
			}
			loc.decl = b
			return v
		}
		for _, n := range b.Path {
			if x := nameExpr(n); x != nil && spanWithin(x.NodeSpan(), sp) {
				return x
			}
		}
	case *syntax.Inherit:
		if syntax.Node(b) == target {
			loc.decl = b
			return nil
		}
		if b.From != nil && spanWithin(b.From.NodeSpan(), sp) {
			return b.From
		}
	}
	return nil
}

func spanWithin(outer, inner syntax.Span) bool {
	return outer.Start <= inner.Start && inner.End <= outer.End
}

func nameExpr(n *syntax.AttrName) syntax.Expr {
	switch {
	case n.Interp != nil:
		return n.Interp.X
	case n.Str != nil:
		return n.Str
	}
	return nil
}

func interpWithin(parts []syntax.StringPart, within func(syntax.Node) bool) syntax.Expr {
	for _, p := range parts {
		if ip, ok := p.(*syntax.Interp); ok && within(ip) {
			return ip.X
		}
	}
	return nil
}

func nameWithin(names []*syntax.AttrName, within func(syntax.Node) bool) syntax.Expr {
	for _, n := range names {
		if x := nameExpr(n); x != nil && within(x) {
			return x
		}
	}
	return nil
}

func firstWithin(within func(syntax.Node) bool, xs ...syntax.Expr) syntax.Expr {
	for _, x := range xs {
		if x != nil && within(x) {
			return x
		}
	}
	return nil
}

// pathString spells a path: names joined by dots, quoted when they hold a
// dot (`data."pod.yaml"`), dynamic ones as written, list indexes as numbers.
func (s *scanner) pathString(path []pathSeg) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		switch p.kind {
		case segAttr:
			b.WriteString(s.attrName(p.name))
		case segRaw:
			b.WriteString(p.raw)
		case segIdx:
			b.WriteString(strconv.Itoa(p.idx))
		}
	}
	return b.String()
}
