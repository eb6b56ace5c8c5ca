package syntax

import "fmt"

// Nix resolves variables while parsing (bindVars), so `nix-instantiate
// --parse` rejects a file that uses an unbound name unless a `with` encloses
// it. checkScopes does the same over a tree that parsed cleanly.

// baseEnv is Nix 2.8's top-level scope: every builtin under the name it is
// registered with (some only with a "__" prefix).
var baseEnv = map[string]bool{
	"__add":                           true,
	"__addErrorContext":               true,
	"__all":                           true,
	"__any":                           true,
	"__appendContext":                 true,
	"__attrNames":                     true,
	"__attrValues":                    true,
	"__bitAnd":                        true,
	"__bitOr":                         true,
	"__bitXor":                        true,
	"__catAttrs":                      true,
	"__ceil":                          true,
	"__compareVersions":               true,
	"__concatLists":                   true,
	"__concatMap":                     true,
	"__concatStringsSep":              true,
	"__currentSystem":                 true,
	"__currentTime":                   true,
	"__deepSeq":                       true,
	"__div":                           true,
	"__elem":                          true,
	"__elemAt":                        true,
	"__fetchurl":                      true,
	"__filter":                        true,
	"__filterSource":                  true,
	"__findFile":                      true,
	"__floor":                         true,
	"__foldl'":                        true,
	"__fromJSON":                      true,
	"__functionArgs":                  true,
	"__genList":                       true,
	"__genericClosure":                true,
	"__getAttr":                       true,
	"__getContext":                    true,
	"__getEnv":                        true,
	"__groupBy":                       true,
	"__hasAttr":                       true,
	"__hasContext":                    true,
	"__hashFile":                      true,
	"__hashString":                    true,
	"__head":                          true,
	"__intersectAttrs":                true,
	"__isAttrs":                       true,
	"__isBool":                        true,
	"__isFloat":                       true,
	"__isFunction":                    true,
	"__isInt":                         true,
	"__isList":                        true,
	"__isPath":                        true,
	"__isString":                      true,
	"__langVersion":                   true,
	"__length":                        true,
	"__lessThan":                      true,
	"__listToAttrs":                   true,
	"__mapAttrs":                      true,
	"__match":                         true,
	"__mul":                           true,
	"__nixPath":                       true,
	"__nixVersion":                    true,
	"__parseDrvName":                  true,
	"__partition":                     true,
	"__path":                          true,
	"__pathExists":                    true,
	"__readDir":                       true,
	"__readFile":                      true,
	"__replaceStrings":                true,
	"__seq":                           true,
	"__sort":                          true,
	"__split":                         true,
	"__splitVersion":                  true,
	"__storeDir":                      true,
	"__storePath":                     true,
	"__stringLength":                  true,
	"__sub":                           true,
	"__substring":                     true,
	"__tail":                          true,
	"__toFile":                        true,
	"__toJSON":                        true,
	"__toPath":                        true,
	"__toXML":                         true,
	"__trace":                         true,
	"__tryEval":                       true,
	"__typeOf":                        true,
	"__unsafeDiscardOutputDependency": true,
	"__unsafeDiscardStringContext":    true,
	"__unsafeGetAttrPos":              true,
	"__zipAttrsWith":                  true,
	"abort":                           true,
	"baseNameOf":                      true,
	"builtins":                        true,
	"derivation":                      true,
	"derivationStrict":                true,
	"dirOf":                           true,
	"false":                           true,
	"fetchGit":                        true,
	"fetchMercurial":                  true,
	"fetchTarball":                    true,
	"fetchTree":                       true,
	"fromTOML":                        true,
	"import":                          true,
	"isNull":                          true,
	"map":                             true,
	"null":                            true,
	"placeholder":                     true,
	"removeAttrs":                     true,
	"scopedImport":                    true,
	"throw":                           true,
	"toString":                        true,
	"true":                            true,
}

type scope struct {
	up    *scope
	with  bool // a `with` scope: any name may resolve here at run time
	names []string
	index map[string]bool // for large scopes, see seal
}

// seal indexes a scope with many names, to keep lookups cheap.
func (s *scope) seal() *scope {
	if len(s.names) > 16 {
		s.index = make(map[string]bool, len(s.names))
		for _, n := range s.names {
			s.index[n] = true
		}
	}
	return s
}

func (s *scope) lookup(name string) bool {
	sawWith := false
	for ; s != nil; s = s.up {
		if s.with {
			sawWith = true
			continue
		}
		if s.index != nil {
			if s.index[name] {
				return true
			}
			continue
		}
		for _, n := range s.names {
			if n == name {
				return true
			}
		}
	}
	return sawWith || baseEnv[name]
}

type scopeChecker struct {
	p *parser

	// Allocation for the scopes and models of one file.
	scopes  slab[scope]
	models  slab[attrModel]
	entries slab[modelEntry]
	names   []string // backing array of the scopes' names
}

func (p *parser) checkScopes(root Expr) {
	// The checker's memory is the arena's: what one file's check
	// allocated, the next one's reuses.
	c := &p.arena.checker
	c.reset()
	c.p = p
	n := len(p.src)
	c.scopes.n = n/2000 + 4
	c.models.n = n/400 + 4
	c.entries.n = n/440 + 4
	if cap(c.names) < n/64+16 {
		c.names = make([]string, 0, n/64+16)
	}
	defer func() { c.p = nil }()
	c.expr(root, nil)
}

// reset readies c for another check; nothing of the last one is used after
// it returns.
func (c *scopeChecker) reset() {
	c.scopes.reset()
	c.models.reset()
	c.entries.reset()
	// Only what this file appended holds names: the capacity past it was
	// cleared when an earlier file was done, or never used.
	clear(c.names)
	c.names = c.names[:0]
}

// newScope returns a scope below up.
func (c *scopeChecker) newScope(up *scope, with bool) *scope {
	s := c.scopes.alloc()
	s.up, s.with = up, with
	return s
}

// takeNames returns the names appended to c.names since start, capped so
// that appending to them reallocates.
func (c *scopeChecker) takeNames(start int) []string {
	if len(c.names) == start {
		return nil
	}
	return c.names[start:len(c.names):len(c.names)]
}

func (c *scopeChecker) newModel(rec bool) *attrModel {
	m := c.models.alloc()
	m.rec = rec
	return m
}

func (c *scopeChecker) newEntry(e modelEntry) *modelEntry {
	x := c.entries.alloc()
	*x = e
	return x
}

func (c *scopeChecker) undefined(id *Ident) {
	c.p.errorAt(id.Start, fmt.Sprintf("undefined variable '%s'", id.Name))
}

func (c *scopeChecker) expr(x Expr, s *scope) {
	switch x := x.(type) {
	case *Ident:
		if x.Name != "__curPos" && !s.lookup(x.Name) {
			c.undefined(x)
		}
	case *String:
		c.parts(x.Parts, s)
	case *Path:
		c.parts(x.Parts, s)
	case *Paren:
		c.expr(x.X, s)
	case *List:
		for _, e := range x.Elems {
			c.expr(e, s)
		}
	case *AttrSet:
		switch {
		case x.clash:
			c.model(c.buildModel(x.Bindings, x.Rec), s)
		case x.Rec:
			c.recBindings(x.Bindings, s)
		default:
			c.bindings(x.Bindings, s, s)
		}
	case *LegacyLet:
		if x.clash {
			c.model(c.buildModel(x.Bindings, true), s)
		} else {
			c.recBindings(x.Bindings, s)
		}
	case *Let:
		var inner *scope
		if x.clash {
			inner = c.model(c.buildModel(x.Bindings, true), s)
		} else {
			inner = c.recBindings(x.Bindings, s)
		}
		c.expr(x.Body, inner)
	case *Select:
		c.expr(x.X, s)
		c.path(x.Path, s)
		if x.Default != nil {
			c.expr(x.Default, s)
		}
	case *HasAttr:
		c.expr(x.X, s)
		c.path(x.Path, s)
	case *Apply:
		c.expr(x.Fn, s)
		c.expr(x.Arg, s)
	case *Unary:
		c.expr(x.X, s)
	case *Binary:
		c.expr(x.X, s)
		c.expr(x.Y, s)
	case *Lambda:
		inner := c.newScope(s, false)
		start := len(c.names)
		if x.Param != nil {
			c.names = append(c.names, x.Param.Name)
		}
		if x.Formals != nil {
			for _, f := range x.Formals.List {
				c.names = append(c.names, f.Name.Name)
			}
		}
		inner.names = c.takeNames(start)
		if x.Formals != nil {
			inner.seal()
			for _, f := range x.Formals.List {
				if f.Default != nil {
					c.expr(f.Default, inner)
				}
			}
		}
		c.expr(x.Body, inner)
	case *If:
		c.expr(x.Cond, s)
		c.expr(x.Then, s)
		c.expr(x.Else, s)
	case *Assert:
		c.expr(x.Cond, s)
		c.expr(x.Body, s)
	case *With:
		c.expr(x.Env, s)
		c.expr(x.Body, c.newScope(s, true))
	}
}

func (c *scopeChecker) parts(parts []StringPart, s *scope) {
	for _, p := range parts {
		if in, ok := p.(*Interp); ok {
			c.expr(in.X, s)
		}
	}
}

// path resolves the expressions inside dynamic attribute names.
func (c *scopeChecker) path(path []*AttrName, s *scope) {
	for _, a := range path {
		switch {
		case a.Interp != nil:
			c.expr(a.Interp.X, s)
		case a.Str != nil:
			c.parts(a.Str.Parts, s)
		}
	}
}

// recBindings handles `rec { }`, `let ... in` and `let { }`: the static
// top-level names are in scope for every value, but a plain `inherit x;`
// still looks x up outside. It returns the new scope.
func (c *scopeChecker) recBindings(binds []Binding, s *scope) *scope {
	inner := c.newScope(s, false)
	start := len(c.names)
	for _, b := range binds {
		switch b := b.(type) {
		case *Assign:
			if len(b.Path) > 0 && b.Path[0].Static {
				c.names = append(c.names, b.Path[0].Name)
			}
		case *Inherit:
			for _, a := range b.Names {
				if a.Static {
					c.names = append(c.names, a.Name)
				}
			}
		}
	}
	inner.names = c.takeNames(start)
	inner.seal()
	c.bindings(binds, inner, s)
	return inner
}

// bindings resolves values in s and plain-inherited names in outer.
func (c *scopeChecker) bindings(binds []Binding, s, outer *scope) {
	for _, b := range binds {
		switch b := b.(type) {
		case *Assign:
			c.path(b.Path, s)
			c.expr(b.Value, s)
		case *Inherit:
			if b.From != nil {
				// Nix binds From once per inherited name: with no names it
				// is never looked at.
				if len(b.Names) > 0 {
					c.expr(b.From, s)
				}
				continue
			}
			for _, a := range b.Names {
				if a.Static && !outer.lookup(a.Name) {
					c.p.errorAt(a.Start, fmt.Sprintf("undefined variable '%s'", a.Name))
				}
			}
		}
	}
}

// attrModel is the attribute set Nix 2.8 builds while parsing a set whose
// bindings share names: `a.b = 1; a.c = 2;` makes one nested set, and
// `a = { b = 1; }; a.c = 2;` adds c to the literal set, to be resolved in
// that set's scope. Values merged from a second literal lose their own
// `rec` and their dynamic attributes, as in Nix.
type attrModel struct {
	rec     bool
	names   []string
	entries []*modelEntry
	dynamic []modelDynamic
}

type modelEntry struct {
	value     Expr       // nil for an inherited name or a nested model
	from      Expr       // the set of `inherit (from) name`
	inherited bool       // `inherit name;`: resolved outside a rec set
	ident     *AttrName  // the inherited name
	nested    *attrModel // a set built from attribute paths or merges
}

type modelDynamic struct {
	name   *AttrName
	value  Expr
	nested *attrModel
}

func (m *attrModel) get(name string) *modelEntry {
	for i, n := range m.names {
		if n == name {
			return m.entries[i]
		}
	}
	return nil
}

func (m *attrModel) add(name string, e *modelEntry) {
	if m.names == nil {
		m.names, m.entries = make([]string, 0, 4), make([]*modelEntry, 0, 4)
	}
	m.names = append(m.names, name)
	m.entries = append(m.entries, e)
}

// setLiteral returns x as an attribute set literal, looking through
// parentheses, or nil.
func setLiteral(x Expr) *AttrSet {
	for {
		p, ok := x.(*Paren)
		if !ok {
			break
		}
		x = p.X
	}
	set, _ := x.(*AttrSet)
	return set
}

// asModel turns an entry's attribute set literal into a model, so that
// later bindings can add to it. It returns nil if the entry is no set.
func (e *modelEntry) asModel(c *scopeChecker) *attrModel {
	if e.nested == nil && !e.inherited && e.from == nil {
		if set := setLiteral(e.value); set != nil {
			e.nested = c.buildModel(set.Bindings, set.Rec)
			e.value = nil
		}
	}
	return e.nested
}

func (c *scopeChecker) buildModel(binds []Binding, rec bool) *attrModel {
	m := c.newModel(rec)
	m.names, m.entries = make([]string, 0, len(binds)), make([]*modelEntry, 0, len(binds))
	for _, b := range binds {
		switch b := b.(type) {
		case *Assign:
			m.addPath(c, b.Path, b.Value)
		case *Inherit:
			for _, a := range b.Names {
				if !a.Static || m.get(a.Name) != nil {
					continue // a duplicate, reported elsewhere
				}
				if b.From != nil {
					m.add(a.Name, c.newEntry(modelEntry{from: b.From}))
				} else {
					m.add(a.Name, c.newEntry(modelEntry{inherited: true, ident: a}))
				}
			}
		}
	}
	return m
}

func (m *attrModel) addPath(c *scopeChecker, path []*AttrName, value Expr) {
	if len(path) == 0 {
		return
	}
	for _, a := range path[:len(path)-1] {
		if !a.Static {
			nested := c.newModel(false)
			m.dynamic = append(m.dynamic, modelDynamic{name: a, nested: nested})
			m = nested
			continue
		}
		if e := m.get(a.Name); e != nil {
			if m = e.asModel(c); m == nil {
				return // a duplicate, reported elsewhere
			}
			continue
		}
		nested := c.newModel(false)
		m.add(a.Name, c.newEntry(modelEntry{nested: nested}))
		m = nested
	}
	last := path[len(path)-1]
	if !last.Static {
		m.dynamic = append(m.dynamic, modelDynamic{name: last, value: value})
		return
	}
	e := m.get(last.Name)
	if e == nil {
		m.add(last.Name, c.newEntry(modelEntry{value: value}))
		return
	}
	set := setLiteral(value)
	target := e.asModel(c)
	if set == nil || target == nil {
		return // a duplicate, reported elsewhere
	}
	src := c.buildModel(set.Bindings, set.Rec)
	for i, name := range src.names {
		if target.get(name) == nil {
			target.add(name, src.entries[i])
		}
	}
}

// model resolves the names in a model as Nix's ExprAttrs::bindVars does and
// returns the scope its values see.
func (c *scopeChecker) model(m *attrModel, s *scope) *scope {
	inner := s
	if m.rec {
		inner = c.newScope(s, false)
		inner.names = m.names
		inner.seal()
	}
	for _, e := range m.entries {
		switch {
		case e.inherited:
			if !s.lookup(e.ident.Name) {
				c.p.errorAt(e.ident.Start, fmt.Sprintf("undefined variable '%s'", e.ident.Name))
			}
		case e.from != nil:
			c.expr(e.from, inner)
		case e.nested != nil:
			c.model(e.nested, inner)
		default:
			c.expr(e.value, inner)
		}
	}
	for _, d := range m.dynamic {
		c.path([]*AttrName{d.name}, inner)
		if d.nested != nil {
			c.model(d.nested, inner)
		} else {
			c.expr(d.value, inner)
		}
	}
	return inner
}
