package scan

import (
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// This file is a tiny partial evaluator: just enough of Nix to follow a
// variable to its binding, select from a let-bound attribute set, and
// assemble strings from literals. Anything else evaluates to unknown, with
// the reason a site that depends on it cannot be edited.

// maxDepth bounds evaluation, which also stops `rec { a = a; }` loops.
const maxDepth = 64

// env is one lexical scope.
type env struct {
	parent *env
	vars   map[string]*binding
	// with marks the scope of a `with`: names not bound lexically may come
	// from it, so they are unknown rather than unbound.
	with bool
}

type bindKind int

const (
	bindExpr        bindKind = iota // name = expr
	bindAttrs                       // name.sub = ...: a partial attribute set
	bindArg                         // a function argument
	bindInherit                     // inherit name; (looked up in env)
	bindInheritFrom                 // inherit (expr) name;
)

// binding is a name bound in a scope.
type binding struct {
	kind bindKind
	name string
	expr syntax.Expr // bindExpr: the value; bindInheritFrom: the source set
	env  *env        // where expr is evaluated, or where an inherit looks
	// attrs is the partial set of a bindAttrs binding.
	attrs *attrsVal
	// decl is the Assign, Inherit or Formal that binds the name.
	decl syntax.Node
	// uses are the spans of identifiers resolved to this binding.
	uses []syntax.Span
	// seen indexes uses once there are many.
	seen map[syntax.Span]bool
	// value caches the binding's value, which depends on nothing but the
	// binding: scopes are lexical. busy catches `a = b; b = a;`.
	value value
	busy  bool
}

func (b *binding) addUse(s syntax.Span, m *evalMem) {
	// Most names have a few uses: a scan of them beats a map.
	const small = 16
	if b.seen == nil {
		if slices.Contains(b.uses, s) {
			return
		}
		if b.uses == nil {
			b.uses = m.useSpans(4)
		}
		b.uses = append(b.uses, s)
		if len(b.uses) > small {
			b.seen = make(map[syntax.Span]bool, 2*len(b.uses))
			for _, u := range b.uses {
				b.seen[u] = true
			}
		}
		return
	}
	if !b.seen[s] {
		b.seen[s] = true
		b.uses = append(b.uses, s)
	}
}

// lookup finds name in the scope chain. inWith reports that a `with` scope
// was crossed, so that an unbound name may still come from it.
func (e *env) lookup(name string) (b *binding, inWith bool) {
	for s := e; s != nil; s = s.parent {
		if s.with {
			inWith = true
			continue
		}
		if b := s.vars[name]; b != nil {
			return b, inWith
		}
	}
	return nil, inWith
}

// value is *strVal, *attrsVal, *unknownVal or missingVal.
type value any

// strVal is a string whose parts are known literals or unknown pieces.
type strVal struct {
	text  string
	parts []part
	// whole is the outermost node whose entire value this is: the string
	// literal (or `+` expression) a site would be reported at.
	whole syntax.Node
	// nodes are the string nodes evaluated on the way, innermost last; a
	// derived string is recognised by passing through a site's node.
	nodes []syntax.Node
}

// part is a run of the string's text with one origin.
type part struct {
	off, end int // in strVal.text
	// lit is the literal text and str the string holding it; nil for an
	// unknown part.
	lit *syntax.StringText
	str *syntax.String
	// litOff is where this part starts inside lit.Value (indentation
	// stripping and slicing can start a part mid-literal).
	litOff int
	// via is the innermost variable the text came through.
	via *binding
	// use is the expression, in the string or set being scanned, that
	// brings the text in (`${tag}`, the `imageTag` of `tag = imageTag;`);
	// zero when the text is written in place.
	use syntax.Span
	// unknown says why the text is not known; the text is then the
	// source as written ("${registry}").
	unknown string
	arg     string
	// synthetic marks text pinner adds when composing a reference from
	// the keys of a set (the "/" and ":" between them).
	synthetic bool
}

// attrsVal is an attribute set, possibly merged from several sources or
// narrowed to the bindings under a prefix (`a.b.c = ...`).
type attrsVal struct {
	srcs []attrSrc
}

type attrSrc struct {
	set      syntax.Node // *AttrSet, *Let, *LegacyLet: for reporting
	bindings []syntax.Binding
	prefix   []string
	env      *env // where values are evaluated
	outer    *env // where a plain inherit looks
}

// unknownVal is a value that cannot be known statically.
type unknownVal struct {
	reason string
	arg    string // the function argument it depends on, if any
}

// missingVal is the value of an attribute a set does not have.
type missingVal struct{}

func unknown(reason string) *unknownVal { return &unknownVal{reason: reason} }

// evaluator evaluates expressions of one file.
type evaluator struct {
	f    *syntax.File
	envs map[syntax.Node]*env

	mem *evalMem
}

// evalMem holds the bindings and scopes of a file's evaluator: they live and
// die together, and no Site points into them, so that Files hands the
// memory of one file's to the next.
type evalMem struct {
	binds slab[binding]
	envs  slab[env]
	spans []syntax.Span // see useSpans
}

// useSpans returns room for n uses of a binding. The bindings of a file
// share chunks of it instead of growing each slice from one use; sites keep
// the uses, so chunks are never handed out again.
func (m *evalMem) useSpans(n int) []syntax.Span {
	if cap(m.spans)-len(m.spans) < n {
		m.spans = make([]syntax.Span, 0, 64)
	}
	l := len(m.spans)
	m.spans = m.spans[:l+n]
	return m.spans[l : l : l+n]
}

// reset readies m for the next file; what it held must no longer be used.
func (m *evalMem) reset() {
	m.binds.reset()
	m.envs.reset()
}

func (ev *evaluator) memory() *evalMem {
	if ev.mem == nil {
		ev.mem = &evalMem{}
	}
	return ev.mem
}

func (ev *evaluator) newBinding(b binding) *binding {
	x := ev.memory().binds.alloc()
	*x = b
	return x
}

// slab hands out zeroed T's from chunks, which reset hands out again.
type slab[T any] struct {
	buf    []T
	chunks [][]T
	used   int // chunks handed out since the last reset
}

func (s *slab[T]) alloc() *T {
	if len(s.buf) == 0 {
		if s.used < len(s.chunks) {
			s.buf = s.chunks[s.used] // zeroed by reset
		} else {
			s.buf = make([]T, 32)
			s.chunks = append(s.chunks, s.buf)
		}
		s.used++
	}
	x := &s.buf[0]
	s.buf = s.buf[1:]
	return x
}

func (s *slab[T]) reset() {
	for _, c := range s.chunks[:s.used] {
		clear(c)
	}
	s.used, s.buf = 0, nil
}

func (ev *evaluator) text(s syntax.Span) string { return string(ev.f.Src[s.Start:s.End]) }

// scope returns the scope a node opens (let, rec set, lambda, with),
// building it once: scopes are lexical, so the parent is fixed by the node.
func (ev *evaluator) scope(n syntax.Node, parent *env) *env {
	if e, ok := ev.envs[n]; ok {
		return e
	}
	e := ev.memory().envs.alloc()
	e.parent, e.vars = parent, map[string]*binding{}
	ev.envs[n] = e
	switch n := n.(type) {
	case *syntax.Let:
		ev.bind(e, n, n.Bindings, e, parent)
	case *syntax.LegacyLet:
		ev.bind(e, n, n.Bindings, e, parent)
	case *syntax.AttrSet: // rec
		ev.bind(e, n, n.Bindings, e, parent)
	case *syntax.Lambda:
		if n.Param != nil {
			e.vars[n.Param.Name] = ev.newBinding(binding{kind: bindArg, name: n.Param.Name, decl: n.Param})
		}
		if n.Formals != nil {
			for _, f := range n.Formals.List {
				if f.Name != nil {
					e.vars[f.Name.Name] = ev.newBinding(binding{kind: bindArg, name: f.Name.Name, decl: f})
				}
			}
		}
	case *syntax.With:
		e.with = true
		e.vars = nil
	}
	return e
}

// bind adds a let's or rec set's bindings to e. Values evaluate in inner;
// a plain inherit looks in outer.
func (ev *evaluator) bind(e *env, set syntax.Node, bs []syntax.Binding, inner, outer *env) {
	for _, b := range bs {
		switch b := b.(type) {
		case *syntax.Assign:
			if len(b.Path) == 0 || !b.Path[0].Static {
				continue
			}
			name := b.Path[0].Name
			if len(b.Path) == 1 {
				if _, dup := e.vars[name]; !dup {
					e.vars[name] = ev.newBinding(binding{kind: bindExpr, name: name, expr: b.Value, env: inner, decl: b})
				}
				continue
			}
			if _, ok := e.vars[name]; ok {
				// One prefix source covers every `name.x = ...;` binding.
				continue
			}
			e.vars[name] = ev.newBinding(binding{kind: bindAttrs, name: name, decl: b, env: inner, attrs: &attrsVal{srcs: []attrSrc{{
				set: set, bindings: bs, prefix: []string{name}, env: inner, outer: outer,
			}}}})
		case *syntax.Inherit:
			for _, n := range b.Names {
				if !n.Static {
					continue
				}
				if _, dup := e.vars[n.Name]; dup {
					continue
				}
				if b.From == nil {
					e.vars[n.Name] = ev.newBinding(binding{kind: bindInherit, name: n.Name, env: outer, decl: b})
				} else {
					// The source is evaluated inside the recursive scope:
					// `let xs = {...}; inherit (xs) a; in` works.
					e.vars[n.Name] = ev.newBinding(binding{kind: bindInheritFrom, name: n.Name, expr: b.From, env: inner, decl: b})
				}
			}
		}
	}
}

// eval evaluates x in scope e.
func (ev *evaluator) eval(x syntax.Expr, e *env, depth int) value {
	if depth > maxDepth {
		return unknown("too deeply nested")
	}
	depth++
	switch x := x.(type) {
	case *syntax.Paren:
		return ev.eval(x.X, e, depth)
	case *syntax.String:
		return ev.evalString(x, e, depth)
	case *syntax.Ident:
		return ev.evalIdent(x, e, depth)
	case *syntax.Select:
		v := ev.eval(x.X, e, depth)
		v = ev.selectPath(v, x.Path, depth)
		if _, missing := v.(missingVal); missing {
			if x.Default != nil {
				return ev.eval(x.Default, e, depth)
			}
			return unknown("missing attribute " + ev.text(x.Span))
		}
		return v
	case *syntax.AttrSet:
		inner := e
		if x.Rec {
			inner = ev.scope(x, e)
		}
		return &attrsVal{srcs: []attrSrc{{set: x, bindings: x.Bindings, env: inner, outer: e}}}
	case *syntax.Let:
		return ev.eval(x.Body, ev.scope(x, e), depth)
	case *syntax.With:
		return ev.eval(x.Body, ev.scope(x, e), depth)
	case *syntax.Assert:
		return ev.eval(x.Body, e, depth)
	case *syntax.Binary:
		switch x.Op {
		case syntax.PLUS:
			as, aok := ev.operand(x.X, e, depth)
			bs, bok := ev.operand(x.Y, e, depth)
			if !aok && !bok {
				// Numbers, paths, lists: nothing to do with images.
				return unknown("not a string")
			}
			s := concat(as, bs)
			s.whole = x
			return s
		case syntax.UPDATE:
			a, aok := ev.eval(x.X, e, depth).(*attrsVal)
			b, bok := ev.eval(x.Y, e, depth).(*attrsVal)
			if aok && bok {
				// The right side wins, so it is looked up first.
				return &attrsVal{srcs: append(append([]attrSrc{}, b.srcs...), a.srcs...)}
			}
			return unknown("an attribute set update")
		}
		return unknown("the result of an operator")
	case *syntax.Apply:
		if arg := wrapped(x); arg != nil {
			return ev.eval(arg, e, depth)
		}
		return unknown("the result of a function call")
	case *syntax.If:
		return unknown("a conditional")
	case *syntax.Lambda:
		return unknown("a function")
	}
	return unknown("not a string")
}

// operand evaluates one side of `+` as a string; an unknown side becomes
// an unknown part shown as `${...}`. ok is false when the side is not a
// string at all.
func (ev *evaluator) operand(x syntax.Expr, e *env, depth int) (*strVal, bool) {
	switch v := ev.eval(x, e, depth).(type) {
	case *strVal:
		return withUse(v, x), true
	case *unknownVal:
		text := "${" + ev.text(spanOf(x)) + "}"
		return &strVal{text: text, parts: []part{{end: len(text), unknown: v.reason, arg: v.arg, use: spanOf(x)}}}, false
	}
	return &strVal{}, false
}

func (ev *evaluator) evalIdent(x *syntax.Ident, e *env, depth int) value {
	b, inWith := e.lookup(x.Name)
	if b == nil {
		if inWith {
			return unknown("variable '" + x.Name + "' may come from a with")
		}
		return unknown("unbound variable '" + x.Name + "'")
	}
	b.addUse(x.Span, ev.memory())
	return ev.evalBinding(b, depth)
}

func (ev *evaluator) evalBinding(b *binding, depth int) value {
	if b.value != nil {
		return b.value
	}
	if b.busy || depth > maxDepth {
		return unknown("'" + b.name + "' refers to itself")
	}
	b.busy = true
	v := ev.evalBindingOnce(b, depth+1)
	b.busy = false
	b.value = v
	return v
}

func (ev *evaluator) evalBindingOnce(b *binding, depth int) value {
	switch b.kind {
	case bindArg:
		return &unknownVal{reason: "function argument '" + b.name + "'", arg: b.name}
	case bindAttrs:
		return b.attrs
	case bindInherit:
		if b.env == nil {
			return unknown("unbound variable '" + b.name + "'")
		}
		inner, inWith := b.env.lookup(b.name)
		if inner == nil {
			if inWith {
				return unknown("variable '" + b.name + "' may come from a with")
			}
			return unknown("unbound variable '" + b.name + "'")
		}
		return ev.evalBinding(inner, depth)
	case bindInheritFrom:
		v := ev.eval(b.expr, b.env, depth)
		v = ev.selectName(v, b.name, depth)
		if _, missing := v.(missingVal); missing {
			return unknown("missing attribute '" + b.name + "'")
		}
		return v
	}
	v := ev.eval(b.expr, b.env, depth)
	if s, ok := v.(*strVal); ok {
		s = s.clone()
		for i := range s.parts {
			if s.parts[i].via == nil && s.parts[i].lit != nil {
				s.parts[i].via = b
			}
		}
		return s
	}
	return v
}

func (ev *evaluator) selectPath(v value, path []*syntax.AttrName, depth int) value {
	for _, n := range path {
		if !n.Static {
			return unknown("a dynamic attribute name")
		}
		v = ev.selectName(v, n.Name, depth)
		if _, missing := v.(missingVal); missing {
			return v
		}
	}
	return v
}

// selectName is v.name.
func (ev *evaluator) selectName(v value, name string, depth int) value {
	switch v := v.(type) {
	case *attrsVal:
		return ev.attr(v, name, depth)
	case *unknownVal:
		return v
	case missingVal:
		return v
	}
	return unknown("not an attribute set")
}

// attr looks name up in a set; the first source that has it wins.
func (ev *evaluator) attr(a *attrsVal, name string, depth int) value {
	if depth > maxDepth {
		return unknown("too deeply nested")
	}
	depth++
	for _, src := range a.srcs {
		if v, ok := ev.attrIn(src, name, depth); ok {
			return v
		}
	}
	return missingVal{}
}

func (ev *evaluator) attrIn(src attrSrc, name string, depth int) (value, bool) {
	var nested *attrsVal
	for _, b := range src.bindings {
		switch b := b.(type) {
		case *syntax.Assign:
			if !hasPrefix(b.Path, src.prefix) || len(b.Path) <= len(src.prefix) {
				continue
			}
			n := b.Path[len(src.prefix)]
			if !n.Static || n.Name != name {
				continue
			}
			if len(b.Path) == len(src.prefix)+1 {
				v := ev.eval(b.Value, src.env, depth)
				if nested != nil {
					if va, ok := v.(*attrsVal); ok {
						nested.srcs = append(nested.srcs, va.srcs...)
					}
					return nested, true
				}
				return v, true
			}
			if nested == nil {
				prefix := append(append([]string{}, src.prefix...), name)
				nested = &attrsVal{srcs: []attrSrc{{set: src.set, bindings: src.bindings, prefix: prefix, env: src.env, outer: src.outer}}}
			}
		case *syntax.Inherit:
			if len(src.prefix) > 0 {
				continue
			}
			for _, n := range b.Names {
				if !n.Static || n.Name != name {
					continue
				}
				if b.From == nil {
					if src.outer == nil {
						return unknown("unbound variable '" + name + "'"), true
					}
					ib, inWith := src.outer.lookup(name)
					if ib == nil {
						if inWith {
							return unknown("variable '" + name + "' may come from a with"), true
						}
						return unknown("unbound variable '" + name + "'"), true
					}
					ib.addUse(n.Span, ev.memory())
					return ev.evalBinding(ib, depth), true
				}
				return ev.selectName(ev.eval(b.From, src.env, depth), name, depth), true
			}
		}
	}
	if nested != nil {
		return nested, true
	}
	return nil, false
}

func hasPrefix(path []*syntax.AttrName, prefix []string) bool {
	if len(path) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if !path[i].Static || path[i].Name != p {
			return false
		}
	}
	return true
}

// evalString assembles a string from its literal text and interpolations.
func (ev *evaluator) evalString(x *syntax.String, e *env, depth int) value {
	if !x.Indented && len(x.Parts) == 1 {
		if t, ok := x.Parts[0].(*syntax.StringText); ok {
			// The common "text": what the loop below makes of it, in
			// one allocation and without copying the text.
			one := &oneText{s: strVal{whole: x, text: t.Value}}
			one.parts[0] = part{lit: t, str: x, end: len(t.Value)}
			one.s.parts = one.parts[:0:1]
			if t.Value != "" {
				one.s.parts = one.parts[:1:1]
			}
			one.nodes[0] = x
			one.s.nodes = one.nodes[:1:1]
			return &one.s
		}
	}
	s := &strVal{whole: x}
	if len(x.Parts) > 0 {
		s.parts = make([]part, 0, len(x.Parts))
	}
	var b strings.Builder
	add := func(p part, text string) {
		p.off = b.Len()
		b.WriteString(text)
		p.end = b.Len()
		if p.end > p.off {
			s.parts = append(s.parts, p)
		}
	}
	lineStart := true
	for _, p := range x.Parts {
		switch p := p.(type) {
		case *syntax.StringText:
			if !x.Indented {
				add(part{lit: p, str: x}, p.Value)
				continue
			}
			// Strip the indentation Nix removes from each line. The
			// literal is split at each stripped run so that every part
			// maps to a contiguous piece of p.Value.
			v := p.Value
			i := 0
			for i < len(v) {
				if lineStart {
					j := i
					for j < len(v) && j-i < x.Indentation && v[j] == ' ' {
						j++
					}
					i = j
					lineStart = false
					continue
				}
				nl := strings.IndexByte(v[i:], '\n')
				if nl < 0 {
					add(part{lit: p, str: x, litOff: i}, v[i:])
					break
				}
				add(part{lit: p, str: x, litOff: i}, v[i:i+nl+1])
				i += nl + 1
				lineStart = true
			}
		case *syntax.Interp:
			lineStart = false
			v := ev.eval(p.X, e, depth)
			switch v := v.(type) {
			case *strVal:
				base := b.Len()
				b.WriteString(v.text)
				for _, q := range v.parts {
					q.off += base
					q.end += base
					q.use = p.Span // the outermost string decides
					s.parts = append(s.parts, q)
				}
				s.nodes = append(s.nodes, v.nodes...)
			case *unknownVal:
				add(part{unknown: v.reason, arg: v.arg}, ev.text(p.Span))
			default:
				add(part{unknown: "not a string"}, ev.text(p.Span))
			}
		}
	}
	if x.Indented {
		// Nix drops a final line made only of indentation.
		text := b.String()
		if i := strings.LastIndexByte(text, '\n'); i >= 0 && strings.Trim(text[i+1:], " ") == "" {
			cut := i + 1
			b.Reset()
			b.WriteString(text[:cut])
			kept := s.parts[:0]
			for _, q := range s.parts {
				if q.off >= cut {
					continue
				}
				if q.end > cut {
					q.end = cut
				}
				kept = append(kept, q)
			}
			s.parts = kept
		}
	}
	s.text = b.String()
	s.nodes = append([]syntax.Node{x}, s.nodes...)
	return s
}

// oneText is the strVal of a string literal of one text part.
type oneText struct {
	s     strVal
	parts [1]part
	nodes [1]syntax.Node
}

func concat(a, b *strVal) *strVal {
	s := &strVal{text: a.text + b.text}
	if n := len(a.parts) + len(b.parts); n > 0 {
		s.parts = make([]part, 0, n)
	}
	s.parts = append(s.parts, a.parts...)
	for _, q := range b.parts {
		q.off += len(a.text)
		q.end += len(a.text)
		s.parts = append(s.parts, q)
	}
	if n := len(a.nodes) + len(b.nodes); n > 0 {
		s.nodes = make([]syntax.Node, 0, n)
		s.nodes = append(append(s.nodes, a.nodes...), b.nodes...)
	}
	return s
}

// concatAll is concat of vs in order, building each slice once.
func concatAll(vs []*strVal) *strVal {
	var nt, np, nn int
	for _, v := range vs {
		nt += len(v.text)
		np += len(v.parts)
		nn += len(v.nodes)
	}
	s := &strVal{}
	if np > 0 {
		s.parts = make([]part, 0, np)
	}
	if nn > 0 {
		s.nodes = make([]syntax.Node, 0, nn)
	}
	var b strings.Builder
	b.Grow(nt)
	for _, v := range vs {
		off := b.Len()
		for _, q := range v.parts {
			q.off += off
			q.end += off
			s.parts = append(s.parts, q)
		}
		s.nodes = append(s.nodes, v.nodes...)
		b.WriteString(v.text)
	}
	s.text = b.String()
	return s
}

// withUse marks the parts of s as brought in by expression x, unless x is
// the string literal that holds them.
func withUse(s *strVal, x syntax.Expr) *strVal {
	if _, ok := unparenExpr(x).(*syntax.String); ok {
		return s
	}
	return withUseSpan(s, spanOf(x))
}

func withUseSpan(s *strVal, sp syntax.Span) *strVal {
	c := s.clone()
	for i := range c.parts {
		c.parts[i].use = sp
	}
	return c
}

func (s *strVal) clone() *strVal {
	c := *s
	c.parts = append([]part(nil), s.parts...)
	return &c
}

// known reports whether every part of s is a literal.
func (s *strVal) known() bool {
	for _, p := range s.parts {
		if p.lit == nil && !p.synthetic {
			return false
		}
	}
	return true
}

// wrappers are the module-system functions that mark a value without
// changing it: `image = lib.mkDefault "busybox:1";` is an image all the same.
var wrappers = map[string]int{
	"mkDefault":       1,
	"mkForce":         1,
	"mkOptionDefault": 1,
	"mkIf":            2, // mkIf cond value
	"mkOverride":      2, // mkOverride priority value
}

// wrapped returns the value argument of a wrapper application, or nil.
func wrapped(x *syntax.Apply) syntax.Expr {
	fn, args := syntax.Expr(x), 0
	for {
		a, ok := unparenExpr(fn).(*syntax.Apply)
		if !ok {
			break
		}
		fn = a.Fn
		args++
	}
	var name string
	switch f := unparenExpr(fn).(type) {
	case *syntax.Ident:
		name = f.Name
	case *syntax.Select:
		if len(f.Path) > 0 && f.Path[len(f.Path)-1].Static {
			name = f.Path[len(f.Path)-1].Name
		}
	}
	if want, ok := wrappers[name]; ok && want == args {
		return x.Arg
	}
	return nil
}

func unparenExpr(x syntax.Expr) syntax.Expr {
	for {
		p, ok := x.(*syntax.Paren)
		if !ok {
			return x
		}
		x = p.X
	}
}

// spanOf is the source range of any node.
func spanOf(n syntax.Node) syntax.Span { return n.NodeSpan() }
