package scan

import (
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// An attribute set as Nix builds it from the bindings that write it. Nix
// merges attribute paths: `image.repository = "x"; image.tag = "1";` is the
// one set `image = { repository = "x"; tag = "1"; };`, and
// `a = { b = 1; }; a.c = 2;` adds c to the literal set. The scanner and the
// evaluator both see sets only through this model, so a set is a set
// however it is spelled.
//
// The bindings of a let, a rec set and a lambda's arguments are modelled
// the same way: a scope is the set of names it binds.

type attrSet struct {
	// node is what the set is written as: the AttrSet, Let or LegacyLet
	// of its bindings, or the first Assign whose path makes it.
	node  syntax.Node
	ents  []*ent
	index map[string]*ent // once there are many entries
	// dyn are the entries with a dynamic name (`${x} = ...`): walked, never
	// looked up.
	dyn []*ent
	// walked marks a set the scanner has visited.
	walked bool
	// mem and hint: where the first entries' room comes from, and how
	// much of it (see evalMem.entSlice).
	mem  *evalMem
	hint int
}

type entKind uint8

const (
	entExpr        entKind = iota // name = expr
	entNested                     // a set made from attribute paths or merged literals
	entInherit                    // inherit name; looked up in env
	entInheritFrom                // inherit (expr) name;
	entArg                        // a function argument no call binds
)

// ent is one attribute of a set, or one name of a scope.
type ent struct {
	kind entKind
	name string
	// key is the name as first written; nil for a lambda's parameter.
	key *syntax.AttrName
	// expr is the value (entExpr) or the source set (entInheritFrom).
	expr syntax.Expr
	// env is where expr is evaluated, or where a plain inherit looks; for
	// a nested set, the scope of the names in its path.
	env    *env
	nested *attrSet
	// lit is the set literal a nested entry was first written as.
	lit *syntax.AttrSet
	// decl is the Assign, Inherit, Formal or parameter that binds it.
	decl syntax.Node
	// isVar marks a name of a let or rec scope: text that comes through
	// it comes through a variable, which an edit may have to respect.
	isVar bool

	// uses are the identifiers resolved to this name.
	uses []syntax.Span
	seen map[syntax.Span]bool

	// val caches the value: it depends on nothing but the entry. busy
	// catches `a = b; b = a;`.
	val  value
	busy bool
	// varVal is val as a variable's value, see varValue.
	varVal value
}

// get is the entry named name, or nil.
func (m *attrSet) get(name string) *ent {
	if m == nil {
		return nil
	}
	if m.index != nil {
		return m.index[name]
	}
	for _, e := range m.ents {
		if e.name == name {
			return e
		}
	}
	return nil
}

func (m *attrSet) add(e *ent) {
	if m.ents == nil && m.mem != nil {
		m.ents = m.mem.entSlice(m.hint)
	}
	m.ents = append(m.ents, e)
	const small = 12
	switch {
	case m.index != nil:
		m.index[e.name] = e
	case len(m.ents) > small:
		m.index = make(map[string]*ent, 2*len(m.ents))
		for _, x := range m.ents {
			m.index[x.name] = x
		}
	}
}

func (e *ent) addUse(s syntax.Span, mem *evalMem) {
	// Most names have a few uses: a scan of them beats a map.
	const small = 16
	if e.seen == nil {
		for _, u := range e.uses {
			if u == s {
				return
			}
		}
		if e.uses == nil {
			e.uses = mem.useSpans(4)
		}
		e.uses = append(e.uses, s)
		if len(e.uses) > small {
			e.seen = make(map[syntax.Span]bool, 2*len(e.uses))
			for _, u := range e.uses {
				e.seen[u] = true
			}
		}
		return
	}
	if !e.seen[s] {
		e.seen[s] = true
		e.uses = append(e.uses, s)
	}
}

// modelKey identifies the set a node builds in one scope: the same
// literal under two calls of a function is two sets.
type modelKey struct {
	node syntax.Node
	env  *env
}

// setOf is the set the bindings of node (an AttrSet, Let or LegacyLet)
// build, values evaluated in inner and plain inherits looked up in outer.
func (ev *evaluator) setOf(node syntax.Node, bs []syntax.Binding, inner, outer *env) *attrSet {
	k := modelKey{node, inner}
	if m, ok := ev.models[k]; ok {
		return m
	}
	m := ev.newSet(node)
	m.hint = len(bs)
	ev.models[k] = m
	ev.addBindings(m, bs, inner, outer, false)
	return m
}

// addBindings adds bs to m. vars marks the names of a scope.
func (ev *evaluator) addBindings(m *attrSet, bs []syntax.Binding, inner, outer *env, vars bool) {
	for _, b := range bs {
		switch b := b.(type) {
		case *syntax.Assign:
			ev.addPath(m, b, b.Path, inner, outer, vars)
		case *syntax.Inherit:
			for _, n := range b.Names {
				if !n.Static || m.get(n.Name) != nil {
					continue // a duplicate: Nix rejects the file
				}
				e := ev.newEnt(ent{name: n.Name, key: n, decl: b, isVar: vars})
				if b.From == nil {
					e.kind, e.env = entInherit, outer
				} else {
					// The source is evaluated inside the recursive scope:
					// `let xs = {...}; inherit (xs) a; in` works.
					e.kind, e.expr, e.env = entInheritFrom, b.From, inner
				}
				m.add(e)
			}
		}
	}
}

// addPath adds `path = value;` to m.
func (ev *evaluator) addPath(m *attrSet, b *syntax.Assign, path []*syntax.AttrName, inner, outer *env, vars bool) {
	if len(path) == 0 {
		return
	}
	for i, a := range path[:len(path)-1] {
		if !a.Static {
			nested := ev.newSet(b)
			m.dyn = append(m.dyn, ev.newEnt(ent{kind: entNested, key: a, nested: nested, env: inner, decl: b}))
			m = nested
			continue
		}
		if e := m.get(a.Name); e != nil {
			if m = ev.asNested(e, outer); m == nil {
				return // a duplicate: Nix rejects the file
			}
			continue
		}
		nested := ev.newSet(b)
		m.add(ev.newEnt(ent{kind: entNested, name: a.Name, key: a, nested: nested, env: inner, decl: b, isVar: vars && i == 0}))
		m = nested
	}
	last := path[len(path)-1]
	if !last.Static {
		m.dyn = append(m.dyn, ev.newEnt(ent{kind: entExpr, key: last, expr: b.Value, env: inner, decl: b}))
		return
	}
	e := m.get(last.Name)
	if e == nil {
		m.add(ev.newEnt(ent{kind: entExpr, name: last.Name, key: last, expr: b.Value, env: inner, decl: b, isVar: vars && len(path) == 1}))
		return
	}
	// A second literal for a name already holding a set adds its
	// bindings; its own `rec` is lost, as in Nix.
	lit := setLiteral(b.Value)
	target := ev.asNested(e, outer)
	if lit == nil || target == nil {
		return // a duplicate: Nix rejects the file
	}
	ev.addBindings(target, lit.Bindings, inner, inner, false)
}

// asNested turns an entry whose value is a set literal into a nested set
// that later bindings can add to; nil when the entry is no set.
func (ev *evaluator) asNested(e *ent, outer *env) *attrSet {
	if e.kind == entNested {
		return e.nested
	}
	if e.kind != entExpr {
		return nil
	}
	lit := setLiteral(e.expr)
	if lit == nil {
		return nil
	}
	inner := e.env
	if lit.Rec {
		inner = ev.scope(lit, e.env)
	}
	// The literal's own model becomes the merged set, so that whoever
	// evaluates the literal sees every binding.
	e.nested = ev.setOf(lit, lit.Bindings, inner, e.env)
	e.kind, e.lit = entNested, lit
	return e.nested
}

// setLiteral returns x as an attribute set literal, looking through
// parentheses, or nil.
func setLiteral(x syntax.Expr) *syntax.AttrSet {
	set, _ := unparen(x).(*syntax.AttrSet)
	return set
}
