package scan

import (
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// This file is a small partial evaluator: enough of Nix to follow a
// variable to its binding, select from attribute sets however they are
// written, merge them as `//`, lib.recursiveUpdate and lib.mkMerge do,
// see through the module system's wrappers (mkDefault, mkIf, mkOption's
// default, ...), and assemble strings from literals. Anything else
// evaluates to unknown, with the reason a site that depends on it cannot
// be edited.
//
// Work is bounded: evaluation depth, the size of assembled strings and the
// number of steps per file are capped, so a file built to blow up
// (`a1 = "${a0}${a0}"; a2 = "${a1}${a1}"; ...`) costs time and memory in
// proportion to its size. What is cut short is "too complex to evaluate
// statically".

// maxDepth bounds evaluation, which also stops `rec { a = a; }` loops.
const maxDepth = 64

// Limits of assembled strings: the larger of a floor and the file's size
// for the text, and a number of parts.
const (
	minTextLimit = 64 << 10
	maxParts     = 512
	maxNodes     = 64
)

// stepsPerByte is the evaluation budget per byte of source, on top of
// minSteps: ample for any module written by hand.
const (
	stepsPerByte = 8
	minSteps     = 1 << 14
)

const tooComplex = "too complex to evaluate statically"

// env is one lexical scope: the names of a let, a rec set or a lambda, or
// the unknown names of a `with`.
type env struct {
	parent *env
	set    *attrSet
	// with marks the scope of a `with`: names not bound lexically may come
	// from it, so they are unknown rather than unbound.
	with bool
}

// lookup finds name in the scope chain. inWith reports that a `with` scope
// was crossed, so that an unbound name may still come from it.
func (e *env) lookup(name string) (b *ent, inWith bool) {
	for s := e; s != nil; s = s.parent {
		if s.with {
			inWith = true
			continue
		}
		if b := s.set.get(name); b != nil {
			return b, inWith
		}
	}
	return nil, inWith
}

// value is *strVal, *attrsVal, *listVal, *unknownVal or missingVal.
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
	via *ent
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

// attrsVal is an attribute set: one set, or several that `//` or a deep
// merge combine. The first set that has a name wins; with deep, sets
// found under the same name in several of them are merged in turn.
type attrsVal struct {
	sets []*attrSet
	deep bool
}

// listVal is a list, its elements unevaluated.
type listVal struct {
	elems []syntax.Expr
	env   *env
}

// unknownVal is a value that cannot be known statically.
type unknownVal struct {
	reason string
	arg    string // the function argument it depends on, if any
}

// missingVal is the value of an attribute a set does not have.
type missingVal struct{}

func unknown(reason string) *unknownVal { return &unknownVal{reason: reason} }

var (
	unknownComplex  = &unknownVal{reason: tooComplex}
	unknownDeep     = &unknownVal{reason: "too deeply nested"}
	unknownCall     = &unknownVal{reason: "the result of a function call"}
	unknownCond     = &unknownVal{reason: "a conditional"}
	unknownFunc     = &unknownVal{reason: "a function"}
	unknownNotStr   = &unknownVal{reason: "not a string"}
	unknownOperator = &unknownVal{reason: "the result of an operator"}
	unknownUpdate   = &unknownVal{reason: "an attribute set update"}
	unknownDynamic  = &unknownVal{reason: "a dynamic attribute name"}
	unknownNoSet    = &unknownVal{reason: "not an attribute set"}
	unknownNoDef    = &unknownVal{reason: "an option without a default"}
)

// evaluator evaluates expressions of one file.
type evaluator struct {
	f      *syntax.File
	envs   map[modelKey]*env
	models map[modelKey]*attrSet
	mem    *evalMem
	// steps counts evaluation steps against budget; textLimit caps an
	// assembled string.
	steps, budget int
	textLimit     int
}

func newEvaluator(f *syntax.File, mem *evalMem) *evaluator {
	// The maps are the memory's, emptied for each file: a map keeps its
	// room when cleared.
	if mem.envMap == nil {
		mem.envMap = map[modelKey]*env{}
		mem.modelMap = map[modelKey]*attrSet{}
	}
	ev := &evaluator{
		f:         f,
		envs:      mem.envMap,
		models:    mem.modelMap,
		mem:       mem,
		budget:    minSteps + stepsPerByte*len(f.Src),
		textLimit: max(minTextLimit, len(f.Src)),
	}
	return ev
}

// evalMem holds the entries, sets and scopes of a file's evaluator: they
// live and die together, and no Site points into them, so that Files hands
// the memory of one file's to the next.
type evalMem struct {
	ents  slab[ent]
	sets  slab[attrSet]
	envs  slab[env]
	spans []syntax.Span // see useSpans
	ptrs  slab[*ent]    // see entSlice
	// envMap and modelMap are the evaluator's maps, cleared by reset.
	envMap   map[modelKey]*env
	modelMap map[modelKey]*attrSet
}

// useSpans returns room for n uses of a name. The names of a file share
// chunks of it instead of growing each slice from one use; sites keep the
// uses, so chunks are never handed out again.
func (m *evalMem) useSpans(n int) []syntax.Span {
	if cap(m.spans)-len(m.spans) < n {
		m.spans = make([]syntax.Span, 0, 64)
	}
	l := len(m.spans)
	m.spans = m.spans[:l+n]
	return m.spans[l : l : l+n]
}

// entSlice returns room for n entries of a set. A file's sets share
// chunks of it instead of growing each slice from one entry; a set that
// outgrows its room moves to a slice of its own.
func (m *evalMem) entSlice(n int) []*ent {
	n = max(n, 1)
	if n > 256 {
		return make([]*ent, 0, n)
	}
	p := &m.ptrs
	if len(p.buf) < n {
		if p.used < len(p.chunks) {
			p.buf = p.chunks[p.used] // zeroed by reset
		} else {
			p.buf = make([]*ent, 256)
			p.chunks = append(p.chunks, p.buf)
		}
		p.used++
	}
	s := p.buf[:0:n]
	p.buf = p.buf[n:]
	return s
}

// reset readies m for the next file; what it held must no longer be used.
func (m *evalMem) reset() {
	m.ents.reset()
	m.sets.reset()
	m.envs.reset()
	m.ptrs.reset()
	// Clearing costs the room a map has grown to: after a large file,
	// start small again.
	if len(m.modelMap) > 4096 {
		m.envMap, m.modelMap = nil, nil
	}
	clear(m.envMap)
	clear(m.modelMap)
}

func (ev *evaluator) newEnt(e ent) *ent {
	x := ev.mem.ents.alloc()
	*x = e
	return x
}

func (ev *evaluator) newSet(node syntax.Node) *attrSet {
	m := ev.mem.sets.alloc()
	m.node, m.mem, m.hint = node, ev.mem, 2
	return m
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

// reset zeroes what was handed out, and only that, to hand it out again.
func (s *slab[T]) reset() {
	if s.used > 0 {
		for _, c := range s.chunks[:s.used-1] {
			clear(c)
		}
		last := s.chunks[s.used-1]
		clear(last[:len(last)-len(s.buf)])
	}
	s.used, s.buf = 0, nil
}

func (ev *evaluator) text(s syntax.Span) string { return string(ev.f.Src[s.Start:s.End]) }

// step charges one step of work; false when the file's budget is spent.
func (ev *evaluator) step() bool {
	ev.steps++
	return ev.steps <= ev.budget
}

// scope returns the scope a node opens below parent (let, rec set, lambda,
// with), building it once.
func (ev *evaluator) scope(n syntax.Node, parent *env) *env {
	k := modelKey{n, parent}
	if e, ok := ev.envs[k]; ok {
		return e
	}
	e := ev.mem.envs.alloc()
	e.parent = parent
	ev.envs[k] = e
	switch n := n.(type) {
	case *syntax.Let:
		e.set = ev.newSet(n)
		ev.addBindings(e.set, n.Bindings, e, parent, true)
	case *syntax.LegacyLet:
		e.set = ev.newSet(n)
		ev.addBindings(e.set, n.Bindings, e, parent, true)
	case *syntax.AttrSet: // rec
		e.set = ev.setOf(n, n.Bindings, e, parent)
		for _, x := range e.set.ents {
			x.isVar = true
		}
	case *syntax.Lambda:
		e.set = ev.newSet(n)
		if n.Param != nil {
			e.set.add(ev.newEnt(ent{kind: entArg, name: n.Param.Name, decl: n.Param}))
		}
		if n.Formals != nil {
			for _, f := range n.Formals.List {
				if f.Name != nil && e.set.get(f.Name.Name) == nil {
					e.set.add(ev.newEnt(ent{kind: entArg, name: f.Name.Name, decl: f}))
				}
			}
		}
	case *syntax.With:
		e.with = true
	}
	return e
}

// eval evaluates x in scope e.
func (ev *evaluator) eval(x syntax.Expr, e *env, depth int) value {
	if depth > maxDepth {
		return unknownDeep
	}
	if !ev.step() {
		return unknownComplex
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
		v = ev.selectPath(v, x.Path, e, depth)
		switch v.(type) {
		case missingVal:
			if x.Default != nil {
				return ev.eval(x.Default, e, depth)
			}
			return unknown("missing attribute " + ev.text(x.Span))
		case *unknownVal:
			// `cfg.image or "haproxy:2.9"`: what the file writes is the
			// fallback, an image like an option's default.
			if x.Default != nil {
				return ev.eval(x.Default, e, depth)
			}
		}
		return v
	case *syntax.AttrSet:
		inner := e
		if x.Rec {
			inner = ev.scope(x, e)
		}
		return &attrsVal{sets: []*attrSet{ev.setOf(x, x.Bindings, inner, e)}}
	case *syntax.List:
		return &listVal{elems: x.Elems, env: e}
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
				return unknownNotStr
			}
			s := ev.concat(as, bs)
			if s == nil {
				return unknownComplex
			}
			s.whole = x
			return s
		case syntax.UPDATE:
			a, aok := ev.eval(x.X, e, depth).(*attrsVal)
			b, bok := ev.eval(x.Y, e, depth).(*attrsVal)
			if aok && bok {
				return union(b, a, false)
			}
			return unknownUpdate
		}
		return unknownOperator
	case *syntax.Apply:
		return ev.apply(x, e, depth)
	case *syntax.If:
		return unknownCond
	case *syntax.Lambda:
		return unknownFunc
	}
	return unknownNotStr
}

// union is the set with a's attributes and, where a lacks them, b's; deep
// merges sets found under the same name in both.
func union(a, b *attrsVal, deep bool) *attrsVal {
	sets := make([]*attrSet, 0, len(a.sets)+len(b.sets))
	sets = append(append(sets, a.sets...), b.sets...)
	return &attrsVal{sets: sets, deep: deep || a.deep || b.deep}
}

// operand evaluates one side of `+` as a string; an unknown side becomes
// an unknown part shown as `${...}`. ok is false when the side is not a
// string at all.
func (ev *evaluator) operand(x syntax.Expr, e *env, depth int) (*strVal, bool) {
	switch v := ev.eval(x, e, depth).(type) {
	case *strVal:
		return withUse(v, x), true
	case *unknownVal:
		text := "${" + ev.text(x.NodeSpan()) + "}"
		return &strVal{text: text, parts: []part{{end: len(text), unknown: v.reason, arg: v.arg, use: x.NodeSpan()}}}, false
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
	b.addUse(x.Span, ev.mem)
	return ev.varValue(b, depth)
}

// entValue is the value of an entry, computed once.
func (ev *evaluator) entValue(b *ent, depth int) value {
	if b.val != nil {
		return b.val
	}
	if b.busy || depth > maxDepth {
		return unknown("'" + b.name + "' refers to itself")
	}
	b.busy = true
	v := ev.entValueOnce(b, depth+1)
	b.busy = false
	if v != unknownComplex {
		b.val = v
	}
	return v
}

func (ev *evaluator) entValueOnce(b *ent, depth int) value {
	switch b.kind {
	case entArg:
		return &unknownVal{reason: "function argument '" + b.name + "'", arg: b.name}
	case entNested:
		return &attrsVal{sets: []*attrSet{b.nested}}
	case entInherit:
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
		if b.key != nil {
			inner.addUse(b.key.Span, ev.mem)
		}
		return ev.varValue(inner, depth)
	case entInheritFrom:
		v := ev.selectName(ev.eval(b.expr, b.env, depth), b.name, depth)
		if _, missing := v.(missingVal); missing {
			return unknown("missing attribute '" + b.name + "'")
		}
		return v
	}
	return ev.eval(b.expr, b.env, depth)
}

// varValue is the value of b used as a variable: text that comes through
// a variable says so, for edits that must decide between the binding and
// a copy of their own.
func (ev *evaluator) varValue(b *ent, depth int) value {
	if b.varVal != nil {
		return b.varVal
	}
	v := ev.entValue(b, depth)
	s, ok := v.(*strVal)
	if !ok || !b.isVar || b.kind != entExpr {
		return v
	}
	s = s.clone()
	for i := range s.parts {
		if s.parts[i].via == nil && s.parts[i].lit != nil {
			s.parts[i].via = b
		}
	}
	b.varVal = s
	return s
}

func (ev *evaluator) selectPath(v value, path []*syntax.AttrName, e *env, depth int) value {
	for _, n := range path {
		name := n.Name
		if !n.Static {
			// `config.${m}` with m a let-bound literal is a static name.
			var x syntax.Expr = n.Str
			if n.Interp != nil {
				x = n.Interp.X
			}
			sv, ok := ev.eval(x, e, depth).(*strVal)
			if !ok || !sv.known() {
				return unknownDynamic
			}
			name = sv.text
		}
		v = ev.selectName(v, name, depth)
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
	return unknownNoSet
}

// attr looks name up in a set.
func (ev *evaluator) attr(a *attrsVal, name string, depth int) value {
	if depth > maxDepth {
		return unknownDeep
	}
	depth++
	var merged *attrsVal
	for _, m := range a.sets {
		b := m.get(name)
		if b == nil {
			continue
		}
		v := ev.entValue(b, depth)
		if !a.deep {
			return v
		}
		sub, ok := v.(*attrsVal)
		if !ok {
			if merged != nil {
				return merged
			}
			return v
		}
		if merged == nil {
			merged = &attrsVal{deep: true}
		}
		merged.sets = append(merged.sets, sub.sets...)
	}
	if merged != nil {
		return merged
	}
	return missingVal{}
}

// apply evaluates a function application: the functions of lib and of
// the module system that pass a value through, merge sets, or declare an
// option with a default. Others are unknown.
func (ev *evaluator) apply(x *syntax.Apply, e *env, depth int) value {
	name, args := callee(x)
	switch {
	case name == "":
	case valueArg[name] != 0 && len(args) == valueArg[name]:
		return ev.eval(args[len(args)-1], e, depth)
	case name == "optional" && len(args) == 2, name == "toList" && len(args) == 1:
		arg := args[len(args)-1]
		if name == "toList" {
			if l, ok := ev.eval(arg, e, depth).(*listVal); ok {
				return l
			}
		}
		return &listVal{elems: []syntax.Expr{arg}, env: e}
	case name == "recursiveUpdate" && len(args) == 2:
		a, aok := ev.eval(args[0], e, depth).(*attrsVal)
		b, bok := ev.eval(args[1], e, depth).(*attrsVal)
		if aok && bok {
			return union(b, a, true)
		}
		return unknownUpdate
	case name == "mkMerge" && len(args) == 1:
		l, ok := ev.eval(args[0], e, depth).(*listVal)
		if !ok {
			return unknownCall
		}
		merged := &attrsVal{deep: true}
		for _, el := range l.elems {
			if a, ok := ev.eval(el, l.env, depth).(*attrsVal); ok {
				merged.sets = append(merged.sets, a.sets...)
			}
		}
		return merged
	case name == "mkOption" && len(args) == 1:
		opt, ok := ev.eval(args[0], e, depth).(*attrsVal)
		if !ok {
			return unknownCall
		}
		v := ev.attr(opt, "default", depth)
		if _, missing := v.(missingVal); missing {
			return unknownNoDef
		}
		return v
	}
	return unknownCall
}

// valueArg are the functions whose value is their last argument, as far as
// images go, by the number of arguments they take: the module system's
// priorities and conditions, and lib's optionals.
var valueArg = map[string]int{
	"mkDefault":            1,
	"mkForce":              1,
	"mkOptionDefault":      1,
	"mkImageMediaOverride": 1,
	"mkVMOverride":         1,
	"mkBefore":             1,
	"mkAfter":              1,
	"mkIf":                 2, // mkIf cond value
	"mkOverride":           2, // mkOverride priority value
	"mkOrder":              2,
	"optionalAttrs":        2, // optionalAttrs cond set
	"optionals":            2, // optionals cond list
	"optionalString":       2,
}

// callee returns the name a call's function is known by (the last name of
// `lib.mkDefault`, `mkDefault`) and its arguments in order.
func callee(x *syntax.Apply) (string, []syntax.Expr) {
	var rev [4]syntax.Expr
	n := 0
	fn := syntax.Expr(x)
	for {
		a, ok := unparen(fn).(*syntax.Apply)
		if !ok {
			break
		}
		if n == len(rev) {
			return "", nil
		}
		rev[n] = a.Arg
		n++
		fn = a.Fn
	}
	args := make([]syntax.Expr, n)
	for i := range n {
		args[i] = rev[n-1-i]
	}
	return fnName(fn), args
}

func fnName(fn syntax.Expr) string {
	switch f := unparen(fn).(type) {
	case *syntax.Ident:
		return f.Name
	case *syntax.Select:
		if len(f.Path) > 0 && f.Path[len(f.Path)-1].Static && f.Default == nil {
			return f.Path[len(f.Path)-1].Name
		}
	}
	return ""
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
				if b.Len()+len(v.text) > ev.textLimit || len(s.parts)+len(v.parts) > maxParts {
					return unknownComplex
				}
				base := b.Len()
				b.WriteString(v.text)
				for _, q := range v.parts {
					q.off += base
					q.end += base
					q.use = p.Span // the outermost string decides
					s.parts = append(s.parts, q)
				}
				s.nodes = appendNodes(s.nodes, v.nodes)
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
	s.nodes = appendNodes([]syntax.Node{x}, s.nodes)
	return s
}

// appendNodes appends b to a, up to maxNodes: the nodes a string passed
// through are kept to recognise derived strings, which never need more.
func appendNodes(a, b []syntax.Node) []syntax.Node {
	if room := maxNodes - len(a); room < len(b) {
		b = b[:max(room, 0)]
	}
	return append(a, b...)
}

// oneText is the strVal of a string literal of one text part.
type oneText struct {
	s     strVal
	parts [1]part
	nodes [1]syntax.Node
}

// concat is a + b, or nil when the result would pass the limits.
func (ev *evaluator) concat(a, b *strVal) *strVal {
	if len(a.text)+len(b.text) > ev.textLimit || len(a.parts)+len(b.parts) > maxParts {
		return nil
	}
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
		s.nodes = appendNodes(appendNodes(make([]syntax.Node, 0, min(n, maxNodes)), a.nodes), b.nodes)
	}
	return s
}

// concatAll is the concatenation of vs in order, building each slice once.
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
		s.nodes = make([]syntax.Node, 0, min(nn, maxNodes))
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
		s.nodes = appendNodes(s.nodes, v.nodes)
		b.WriteString(v.text)
	}
	s.text = b.String()
	return s
}

// slice is the part of s in [lo, hi), its parts cut to fit.
func (s *strVal) slice(lo, hi int) *strVal {
	c := &strVal{text: s.text[lo:hi], whole: s.whole, nodes: s.nodes}
	for _, p := range s.parts {
		if p.end <= lo || p.off >= hi {
			continue
		}
		if p.off < lo {
			if p.lit != nil {
				p.litOff += lo - p.off
			}
			p.off = lo
		}
		p.end = min(p.end, hi)
		p.off -= lo
		p.end -= lo
		c.parts = append(c.parts, p)
	}
	return c
}

// withUse marks the parts of s as brought in by expression x, unless x is
// the string literal that holds them.
func withUse(s *strVal, x syntax.Expr) *strVal {
	if _, ok := unparen(x).(*syntax.String); ok {
		return s
	}
	return withUseSpan(s, x.NodeSpan())
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

func unparen(x syntax.Expr) syntax.Expr {
	for {
		p, ok := x.(*syntax.Paren)
		if !ok {
			return x
		}
		x = p.X
	}
}
