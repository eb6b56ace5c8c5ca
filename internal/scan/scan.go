package scan

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// IgnoreDirective in a comment on a site's line, or on the line of the
// binding that holds it, opts the site out.
const IgnoreDirective = "pinner:ignore"

// placeholder stands in for unknown text while a reference with
// interpolations of function arguments is parsed. It is valid both in a
// repository path and in a tag.
const placeholder = "pinnerunknown"

// File returns the image sites of a parsed file, in source order.
func File(f *syntax.File) []Site { return file(f, &refCache{}, &evalMem{}) }

// file is File with a cache of parsed references, which Files shares
// between files: the same images recur across modules; and with the
// evaluator's memory, which Files reuses (file resets it first).
func file(f *syntax.File, refs *refCache, mem *evalMem) []Site {
	mem.reset()
	s := &scanner{
		ev:    &evaluator{f: f, envs: map[syntax.Node]*env{}, mem: mem},
		f:     f,
		cands: map[syntax.Node]*candidate{},
		refs:  refs,
	}
	if f.Root != nil {
		s.walk(f.Root, nil, make([]seg, 0, 16), nil)
	}
	return s.sites()
}

// candidate is a site before classification (primary, derived or a use).
type candidate struct {
	form Form        // FormString or FormAttrSet
	key  syntax.Node // the string (or `+` expression), or the set
	val  *strVal     // FormString: the value
	// FormAttrSet: the set and its helm-values keys.
	set  *syntax.AttrSet
	keys map[string]*setKey
	// useDecls are the bindings that led to it, for pinner:ignore.
	useDecls []syntax.Node
	// usePath is the attr path where it was first met, for values that
	// are not bound to a name themselves.
	usePath string
}

// setKey is one of registry/repository/repo/tag/digest in a helm-values set.
type setKey struct {
	name string
	bind syntax.Node // the Assign or Inherit
	val  value
}

// interpString is a string with interpolations met anywhere, a possible
// derived site.
type interpString struct {
	str *syntax.String
	env *env
}

type scanner struct {
	ev *evaluator
	f  *syntax.File
	// located holds, for the strings and sets the sites need, the attr
	// path and binding where walk first meets them; see locate.
	located map[syntax.Node]*nodeInfo
	cands   map[syntax.Node]*candidate
	order   []*candidate
	refs    *refCache
	interps []interpString
}

// isImageName reports whether an attribute named n holds an image: `image`,
// or a name ending in "Image" or "image" (toolboxImage, initimage).
func isImageName(n string) bool {
	return strings.HasSuffix(n, "Image") || strings.HasSuffix(n, "image")
}

// isImageAdjacent reports names such as imageSelector or imagePullPolicy,
// which sit next to images but never hold one.
func isImageAdjacent(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] >= utf8.RuneSelf {
			// Lowering may change the length: do as written.
			l := strings.ToLower(n)
			i := strings.LastIndex(l, "image")
			return i >= 0 && i+len("image") < len(l)
		}
	}
	// ASCII: the last "image" in any case, without lowering a copy.
	// c|0x20 folds exactly the upper- and lower-case letter onto the lower.
	for i := len(n) - len("image"); i >= 0; i-- {
		if n[i]|0x20 == 'i' && n[i+1]|0x20 == 'm' && n[i+2]|0x20 == 'a' && n[i+3]|0x20 == 'g' && n[i+4]|0x20 == 'e' {
			return i+len("image") < len(n)
		}
	}
	return false
}

func (s *scanner) text(sp syntax.Span) string { return string(s.f.Src[sp.Start:sp.End]) }

// attrName spells one element of an attr path: static names as they are,
// quoted when they hold a dot (`data."pod.yaml"`), dynamic ones as written.
func (s *scanner) attrName(n *syntax.AttrName) string {
	if !n.Static {
		return s.text(n.Span)
	}
	if strings.Contains(n.Name, ".") {
		return strconv.Quote(n.Name)
	}
	return n.Name
}

// seg is one element of an attr path, spelled only when a path is joined:
// most paths walk passes down are never needed.
type seg struct {
	name *syntax.AttrName // an attribute, spelled by attrName
	raw  string           // a name as it is (inherit, lambda formal)
	idx  int              // a list index, when name is nil and isIdx
	kind segKind
}

type segKind uint8

const (
	segAttr segKind = iota
	segRaw
	segIdx
)

// Paths are stacks: a callee appends to the slice it is given, and the
// slots past a caller's length are scratch that the next sibling reuses.
// Nothing may keep a path beyond the call it is passed to; joinPath copies.

func (s *scanner) joinPath(path []seg) string {
	if len(path) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(16 * len(path))
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

// sub is the start of a path that does not continue path (a let-bound
// value's path starts at its name), sharing path's backing array.
func sub(path []seg) []seg { return path[len(path):len(path)] }

func unparen(x syntax.Expr) syntax.Expr { return unparenExpr(x) }

// walk visits every expression once, with its scope and attr path. decl is
// the binding x is the value of, if any.
func (s *scanner) walk(x syntax.Expr, e *env, path []seg, decl syntax.Node) {
	if x == nil {
		return
	}
	switch x := x.(type) {
	case *syntax.Paren:
		s.walk(x.X, e, path, decl)
	case *syntax.String:
		hasInterp := false
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				hasInterp = true
				s.walk(ip.X, e, path, nil)
			}
		}
		if hasInterp {
			s.interps = append(s.interps, interpString{str: x, env: e})
		}
	case *syntax.Path:
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				s.walk(ip.X, e, path, nil)
			}
		}
	case *syntax.List:
		for i, el := range x.Elems {
			s.walk(el, e, append(path, seg{idx: i, kind: segIdx}), nil)
		}
	case *syntax.AttrSet:
		inner := e
		if x.Rec {
			inner = s.ev.scope(x, e)
		}
		s.checkSet(x, e, path, decl)
		s.walkBindings(x.Bindings, inner, e, path)
	case *syntax.LegacyLet:
		inner := s.ev.scope(x, e)
		s.walkBindings(x.Bindings, inner, e, sub(path))
	case *syntax.Let:
		inner := s.ev.scope(x, e)
		// A let-bound value's path starts at its name.
		s.walkBindings(x.Bindings, inner, e, sub(path))
		s.walk(x.Body, inner, path, decl)
	case *syntax.Lambda:
		inner := s.ev.scope(x, e)
		if x.Formals != nil {
			for _, f := range x.Formals.List {
				if f.Default == nil || f.Name == nil {
					continue
				}
				p := append(sub(path), seg{raw: f.Name.Name, kind: segRaw})
				s.walk(f.Default, inner, p, f)
				if isImageName(f.Name.Name) {
					s.imageValue(f.Default, inner, p, f)
				}
			}
		}
		s.walk(x.Body, inner, path, nil)
	case *syntax.Select:
		s.walk(x.X, e, path, nil)
		s.walkNames(x.Path, e, path)
		s.walk(x.Default, e, path, nil)
	case *syntax.HasAttr:
		s.walk(x.X, e, path, nil)
		s.walkNames(x.Path, e, path)
	case *syntax.Apply:
		s.walk(x.Fn, e, path, nil)
		s.walk(x.Arg, e, path, decl)
	case *syntax.Unary:
		s.walk(x.X, e, path, nil)
	case *syntax.Binary:
		s.walk(x.X, e, path, nil)
		s.walk(x.Y, e, path, nil)
	case *syntax.If:
		s.walk(x.Cond, e, path, nil)
		s.walk(x.Then, e, path, decl)
		s.walk(x.Else, e, path, decl)
	case *syntax.Assert:
		s.walk(x.Cond, e, path, nil)
		s.walk(x.Body, e, path, decl)
	case *syntax.With:
		s.walk(x.Env, e, path, nil)
		s.walk(x.Body, s.ev.scope(x, e), path, decl)
	case *syntax.Ident:
		// Resolve every use so that bindings know all their uses.
		if b, _ := e.lookup(x.Name); b != nil {
			b.addUse(x.Span, s.ev.memory())
		}
	}
}

func (s *scanner) walkNames(names []*syntax.AttrName, e *env, path []seg) {
	for _, n := range names {
		switch {
		case n.Interp != nil:
			s.walk(n.Interp.X, e, path, nil)
		case n.Str != nil && !n.Static:
			s.walk(n.Str, e, path, nil)
		}
	}
}

// walkBindings visits the bindings of a set or let. Values, and the
// sources of `inherit (x)`, are in scope inner; a plain inherit looks in
// outer.
func (s *scanner) walkBindings(bs []syntax.Binding, inner, outer *env, path []seg) {
	for _, b := range bs {
		switch b := b.(type) {
		case *syntax.Assign:
			if len(b.Path) == 0 {
				s.walk(b.Value, inner, path, b)
				continue
			}
			s.walkNames(b.Path, inner, path)
			p := path
			for _, n := range b.Path {
				p = append(p, seg{name: n, kind: segAttr})
			}
			s.walk(b.Value, inner, p, b)
			last := b.Path[len(b.Path)-1]
			if !last.Static {
				continue
			}
			switch {
			case isImageName(last.Name):
				s.imageValue(b.Value, inner, p, b)
			case !isImageAdjacent(last.Name):
				s.shapedValue(b.Value, p, b)
			}
		case *syntax.Inherit:
			if b.From != nil {
				s.walk(b.From, inner, path, nil)
			}
			for _, n := range b.Names {
				if !n.Static {
					continue
				}
				var v value
				if b.From == nil {
					ib, _ := outer.lookup(n.Name)
					if ib == nil {
						continue
					}
					ib.addUse(n.Span, s.ev.memory())
					if !isImageName(n.Name) {
						continue
					}
					v = s.ev.evalBinding(ib, 0)
				} else {
					if !isImageName(n.Name) {
						continue
					}
					v = s.ev.selectName(s.ev.eval(b.From, inner, 0), n.Name, 0)
				}
				s.addString(v, append(path, seg{raw: n.Name, kind: segRaw}), b)
			}
		}
	}
}

// imageValue records the value of an image-named attribute as a string
// site candidate when it evaluates to a string.
func (s *scanner) imageValue(x syntax.Expr, e *env, path []seg, decl syntax.Node) {
	// Each branch of a conditional is an image of its own.
	if c, ok := unparen(x).(*syntax.If); ok {
		s.imageValue(c.Then, e, path, decl)
		s.imageValue(c.Else, e, path, decl)
		return
	}
	s.addString(s.ev.eval(x, e, 0), path, decl)
}

func (s *scanner) addString(v value, path []seg, decl syntax.Node) {
	sv, ok := v.(*strVal)
	if !ok || sv.whole == nil {
		return
	}
	// A value with no literal name in it is someone else's image
	// (`image = cfg.image;`, `"${cfg.repo}:${cfg.tag}"`): it is written,
	// and pinned, elsewhere.
	if !hasName(sv) {
		return
	}
	s.add(&candidate{form: FormString, key: sv.whole, val: sv}, path, decl)
}

// hasName reports whether some literal text of s has a letter or digit,
// more than the separators between interpolations.
func hasName(s *strVal) bool {
	for _, p := range s.parts {
		if p.lit == nil {
			continue
		}
		for _, c := range s.text[p.off:p.end] {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				return true
			}
		}
	}
	return false
}

// shapedValue records a literal bound to a name that says nothing about
// images, when the literal itself is unmistakably an image reference: an
// explicit registry host plus a tag or digest ("ghcr.io/x/y:1.0").
func (s *scanner) shapedValue(x syntax.Expr, path []seg, decl syntax.Node) {
	str, ok := unparen(x).(*syntax.String)
	if !ok {
		return
	}
	// Most bound strings are names, commands and paths: rule them out
	// before parsing, and before assembling the literal. The tests are on
	// single bytes, so they hold for the parts as for their concatenation.
	var slash, sep bool
	for i, p := range str.Parts {
		if _, ok := p.(*syntax.StringText); !ok {
			return // not a literal
		}
		// One pass over the bytes instead of three searches.
		v := str.TextValue(i)
		for j := 0; j < len(v); j++ {
			switch v[j] {
			case ' ', '\t', '\n':
				return
			case '/':
				slash = true
			case ':', '@':
				sep = true
			}
		}
	}
	if !slash || !sep {
		return
	}
	lit, ok := str.Literal()
	if !ok || !s.looksLikeImage(lit) {
		return
	}
	r, err := s.parse(lit)
	if err != nil || r.Registry() == "" {
		return
	}
	sv := s.ev.evalString(str, nil, 0).(*strVal)
	s.add(&candidate{form: FormString, key: str, val: sv}, path, decl)
}

func (s *scanner) add(c *candidate, path []seg, decl syntax.Node) {
	if old, ok := s.cands[c.key]; ok {
		if decl != nil {
			old.useDecls = append(old.useDecls, decl)
		}
		return
	}
	c.usePath = s.joinPath(path)
	if decl != nil {
		c.useDecls = append(c.useDecls, decl)
	}
	s.cands[c.key] = c
	s.order = append(s.order, c)
}

// maybeHelmSet reports whether x has the keys of a helm-values set, a
// `repository` or `repo` and a `tag` or `digest`, written or inherited: the
// allocation-free test that rules out most sets before checkSet looks.
func maybeHelmSet(x *syntax.AttrSet) bool {
	var repo, tag bool
	key := func(n *syntax.AttrName) {
		if !n.Static {
			return
		}
		switch n.Name {
		case "repository", "repo":
			repo = true
		case "tag", "digest":
			tag = true
		}
	}
	for _, b := range x.Bindings {
		switch b := b.(type) {
		case *syntax.Assign:
			if len(b.Path) == 1 {
				key(b.Path[0])
			}
		case *syntax.Inherit:
			for _, n := range b.Names {
				key(n)
			}
		}
	}
	return repo && tag
}

// setKeys are the helm-values keys of the attrset form.
var setKeys = []string{"registry", "repository", "repo", "tag", "digest"}

// checkSet records a helm-values set: one with a `repository` (or `repo`)
// and a `tag` or `digest`.
func (s *scanner) checkSet(x *syntax.AttrSet, e *env, path []seg, decl syntax.Node) {
	if !maybeHelmSet(x) {
		return
	}
	inner := e
	if x.Rec {
		inner = s.ev.scope(x, e)
	}
	keys := map[string]*setKey{}
	for _, b := range x.Bindings {
		switch b := b.(type) {
		case *syntax.Assign:
			if len(b.Path) != 1 || !b.Path[0].Static || !slices.Contains(setKeys, b.Path[0].Name) {
				continue
			}
			if _, dup := keys[b.Path[0].Name]; !dup {
				keys[b.Path[0].Name] = &setKey{name: b.Path[0].Name, bind: b}
			}
		case *syntax.Inherit:
			for _, n := range b.Names {
				if n.Static && slices.Contains(setKeys, n.Name) {
					if _, dup := keys[n.Name]; !dup {
						keys[n.Name] = &setKey{name: n.Name, bind: b}
					}
				}
			}
		}
	}
	repoKey := keys["repository"]
	if repoKey == nil {
		repoKey = keys["repo"]
	}
	if repoKey == nil || (keys["tag"] == nil && keys["digest"] == nil) {
		return
	}
	self := &attrsVal{srcs: []attrSrc{{set: x, bindings: x.Bindings, env: inner, outer: e}}}
	for _, k := range keys {
		k.val = s.ev.attr(self, k.name, 0)
	}
	rv, ok := repoKey.val.(*strVal)
	if !ok {
		return
	}
	if !hasName(rv) {
		return
	}
	for _, name := range []string{"registry", "tag", "digest"} {
		if k := keys[name]; k != nil {
			switch k.val.(type) {
			case *strVal, *unknownVal:
			default:
				return // an int tag, a nested set: not a helm image
			}
		}
	}
	if repoKey.name == "repo" && rv.known() {
		// Chart repositories ("https://charts...", "oci://...") share the
		// key; only an image repository parses.
		if !s.isRepository(rv.text) {
			return
		}
	}
	c := &candidate{form: FormAttrSet, key: x, set: x, keys: keys}
	if repoKey.name == "repo" {
		keys["repository"] = repoKey
	}
	s.add(c, path, decl)
}

// refCache remembers what imageref says of a text: a shaped string is
// parsed when it is found and again when its site is built, and the same
// references recur across files. It is safe for concurrent use.
type refCache struct {
	mu    sync.Mutex
	parse map[string]parsedRef
	looks map[string]bool
	repo  map[string]bool
}

type parsedRef struct {
	r   imageref.Ref
	err error
}

// maxCached bounds each map of a refCache; past it, texts are parsed anew.
const maxCached = 1 << 16

func cacheGet[V any](c *refCache, m *map[string]V, key string) (V, bool) {
	c.mu.Lock()
	v, ok := (*m)[key]
	c.mu.Unlock()
	return v, ok
}

func cachePut[V any](c *refCache, m *map[string]V, key string, v V) {
	c.mu.Lock()
	if *m == nil {
		*m = map[string]V{}
	}
	if len(*m) < maxCached {
		(*m)[key] = v
	}
	c.mu.Unlock()
}

// parse is imageref.Parse.
func (s *scanner) parse(text string) (imageref.Ref, error) {
	if p, ok := cacheGet(s.refs, &s.refs.parse, text); ok {
		return p.r, p.err
	}
	r, err := imageref.Parse(text)
	cachePut(s.refs, &s.refs.parse, text, parsedRef{r, err})
	return r, err
}

// looksLikeImage is imageref.LooksLikeImage.
func (s *scanner) looksLikeImage(text string) bool {
	if ok, found := cacheGet(s.refs, &s.refs.looks, text); found {
		return ok
	}
	ok := imageref.LooksLikeImage(text)
	cachePut(s.refs, &s.refs.looks, text, ok)
	return ok
}

// isRepository reports whether imageref.ParseRepository accepts text.
func (s *scanner) isRepository(text string) bool {
	if ok, found := cacheGet(s.refs, &s.refs.repo, text); found {
		return ok
	}
	_, err := imageref.ParseRepository(text)
	cachePut(s.refs, &s.refs.repo, text, err == nil)
	return err == nil
}

// nodeInfo is where walk first meets a string or set: its attr path and
// the binding it is the value of (nil when none).
type nodeInfo struct {
	path  string
	decl  syntax.Node
	found bool
}

// locate finds the attr path and binding of each of nodes (strings and
// sets), as walk first meets them, by walking the file again with the same
// paths as walk but nothing else. Only the few nodes sites need are
// located: recording every node during walk costs more than the second,
// allocation-free pass.
func (s *scanner) locate(nodes []syntax.Node) {
	if s.located == nil {
		s.located = map[syntax.Node]*nodeInfo{}
	}
	l := &locator{s: s, want: map[syntax.Node]*nodeInfo{}}
	for _, n := range nodes {
		if _, done := s.located[n]; done {
			continue
		}
		if _, dup := l.want[n]; dup {
			continue
		}
		ni := &nodeInfo{}
		l.want[n] = ni
		s.located[n] = ni
		l.left++
	}
	if l.left > 0 && s.f.Root != nil {
		l.walk(s.f.Root, make([]seg, 0, 16), nil)
	}
}

// pathOf is the attr path of a located node; ok is false when walk never
// meets it as a string or set.
func (s *scanner) pathOf(n syntax.Node) (string, bool) {
	if ni := s.located[n]; ni != nil && ni.found {
		return ni.path, true
	}
	return "", false
}

// declOf is the binding a located node is the value of, or nil.
func (s *scanner) declOf(n syntax.Node) syntax.Node {
	if ni := s.located[n]; ni != nil && ni.found {
		return ni.decl
	}
	return nil
}

type locator struct {
	s    *scanner
	want map[syntax.Node]*nodeInfo
	left int
}

// walk mirrors scanner.walk and walkBindings: the same order, the same
// paths and bindings.
func (l *locator) walk(x syntax.Expr, path []seg, decl syntax.Node) {
	if x == nil || l.left == 0 {
		return
	}
	switch x := x.(type) {
	case *syntax.String, *syntax.AttrSet:
		if ni := l.want[x]; ni != nil && !ni.found {
			ni.found = true
			ni.path = l.s.joinPath(path)
			ni.decl = decl
			l.left--
		}
	}
	switch x := x.(type) {
	case *syntax.Paren:
		l.walk(x.X, path, decl)
	case *syntax.String:
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				l.walk(ip.X, path, nil)
			}
		}
	case *syntax.Path:
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				l.walk(ip.X, path, nil)
			}
		}
	case *syntax.List:
		for i, el := range x.Elems {
			l.walk(el, append(path, seg{idx: i, kind: segIdx}), nil)
		}
	case *syntax.AttrSet:
		l.walkBindings(x.Bindings, path)
	case *syntax.LegacyLet:
		l.walkBindings(x.Bindings, sub(path))
	case *syntax.Let:
		l.walkBindings(x.Bindings, sub(path))
		l.walk(x.Body, path, decl)
	case *syntax.Lambda:
		if x.Formals != nil {
			for _, f := range x.Formals.List {
				if f.Default == nil || f.Name == nil {
					continue
				}
				l.walk(f.Default, append(sub(path), seg{raw: f.Name.Name, kind: segRaw}), f)
			}
		}
		l.walk(x.Body, path, nil)
	case *syntax.Select:
		l.walk(x.X, path, nil)
		l.walkNames(x.Path, path)
		l.walk(x.Default, path, nil)
	case *syntax.HasAttr:
		l.walk(x.X, path, nil)
		l.walkNames(x.Path, path)
	case *syntax.Apply:
		l.walk(x.Fn, path, nil)
		l.walk(x.Arg, path, decl)
	case *syntax.Unary:
		l.walk(x.X, path, nil)
	case *syntax.Binary:
		l.walk(x.X, path, nil)
		l.walk(x.Y, path, nil)
	case *syntax.If:
		l.walk(x.Cond, path, nil)
		l.walk(x.Then, path, decl)
		l.walk(x.Else, path, decl)
	case *syntax.Assert:
		l.walk(x.Cond, path, nil)
		l.walk(x.Body, path, decl)
	case *syntax.With:
		l.walk(x.Env, path, nil)
		l.walk(x.Body, path, decl)
	}
}

func (l *locator) walkNames(names []*syntax.AttrName, path []seg) {
	for _, n := range names {
		switch {
		case n.Interp != nil:
			l.walk(n.Interp.X, path, nil)
		case n.Str != nil && !n.Static:
			l.walk(n.Str, path, nil)
		}
	}
}

func (l *locator) walkBindings(bs []syntax.Binding, path []seg) {
	for _, b := range bs {
		switch b := b.(type) {
		case *syntax.Assign:
			if len(b.Path) == 0 {
				l.walk(b.Value, path, b)
				continue
			}
			l.walkNames(b.Path, path)
			p := path
			for _, n := range b.Path {
				p = append(p, seg{name: n, kind: segAttr})
			}
			l.walk(b.Value, p, b)
		case *syntax.Inherit:
			if b.From != nil {
				l.walk(b.From, path, nil)
			}
		}
	}
}
