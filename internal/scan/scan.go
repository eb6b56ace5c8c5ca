package scan

import (
	"slices"
	"strconv"
	"strings"
	"sync"

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
		ev:    newEvaluator(f, mem),
		f:     f,
		cands: map[any]*candidate{}, callee: map[*syntax.AttrSet]syntax.Expr{},
		refs: refs,
	}
	if f.Root != nil {
		s.walk(f.Root, nil, "", 0)
	}
	sites := s.sites()
	for i := range sites {
		sites[i].detach()
	}
	return sites
}

// detach gives the site its own copy of every text it holds. A string of
// the source shares the source's memory (Files parses with
// syntax.ShareSource), and a site that kept one would keep the whole file:
// scanning a large tree would hold all of it.
func (s *Site) detach() {
	s.Ref = strings.Clone(s.Ref)
	s.Image = s.Image.Clone()
	s.Reason = strings.Clone(s.Reason)
	for i := range s.Edit.Repository {
		s.Edit.Repository[i].detach()
	}
	for _, t := range []*Text{s.Edit.Tag, s.Edit.Digest} {
		if t != nil {
			t.detach()
		}
	}
	if p := s.Edit.Pull; p != nil && p.Hash != nil {
		p.Hash.detach()
	}
	if c := s.Chart; c != nil {
		c.Repo, c.Name, c.Version = strings.Clone(c.Repo), strings.Clone(c.Name), strings.Clone(c.Version)
		c.URL, c.Func = strings.Clone(c.URL), strings.Clone(c.Func)
		for i := range c.Versions {
			c.Versions[i].detach()
		}
		if c.Hash != nil {
			c.Hash.detach()
		}
	}
	// The tree lives in an arena the next file reuses.
	s.decl = nil
}

func (t *Text) detach() {
	t.Value = strings.Clone(t.Value)
	t.Var = strings.Clone(t.Var)
	// The uses live in chunks the whole file's names share.
	t.Uses = slices.Clone(t.Uses)
}

// candidate is a site before classification (primary, derived or a use).
type candidate struct {
	form Form
	// key identifies it: the string (or `+` expression) of a string, the
	// set of an attrset or partial, an embKey for an embedded reference.
	key any
	val *strVal // string and embedded forms: the value
	// set and keys: the attrset and partial forms.
	set  *attrSet
	keys map[string]*setKey
	// imageKey is the image-named attribute it was found under, "" when
	// it was found by its shape alone.
	imageKey string
	// lenient: a bare name is an image here (under `image`, an option's
	// default); shaped: it was found as an unmistakable reference.
	lenient, shaped bool
	// decls are the bindings that led to it, for pinner:ignore.
	decls []syntax.Node
	// pos is where it is reported, for the forms whose key says nothing.
	pos int
}

// embKey identifies an embedded reference: its string and where it starts
// in the string's value.
type embKey struct {
	str *syntax.String
	off int
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
	ev    *evaluator
	f     *syntax.File
	cands map[any]*candidate
	// callee is the function each set written as an argument is passed
	// to: the pullImage of a pull site.
	callee  map[*syntax.AttrSet]syntax.Expr
	order   []*candidate
	refs    *refCache
	interps []interpString
	pathBuf []pathSeg // see locate
}

func (s *scanner) text(sp syntax.Span) string { return string(s.f.Src[sp.Start:sp.End]) }

// wctx is what the walker knows of where it is.
type wctx uint8

const (
	// ctxDoc: documentation (an option's example or description, a
	// literalExpression): text for a reader, never a site.
	ctxDoc wctx = 1 << iota
	// ctxConcat: a string operand of `+`, checked as part of the whole.
	ctxConcat
	// ctxOption: the attribute set of an mkOption call.
	ctxOption
	// ctxImage: inside the value of an image-named attribute, where a
	// set of helm image keys is part of an image (`image.longhorn.engine`).
	ctxImage
)

// walk visits every expression once with its scope. key is the attribute
// name x is the value of ("" when none): what the name says about images.
func (s *scanner) walk(x syntax.Expr, e *env, key string, ctx wctx) {
	switch x := x.(type) {
	case *syntax.Paren:
		s.walk(x.X, e, key, ctx)
	case *syntax.String:
		interp := false
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				interp = true
				s.walk(ip.X, e, "", ctx&^ctxConcat)
			}
		}
		if ctx&ctxDoc != 0 {
			return
		}
		if interp {
			s.interps = append(s.interps, interpString{str: x, env: e})
		}
		if ctx&ctxConcat == 0 {
			s.shaped(x, e, key)
		}
		s.embedded(x, e)
	case *syntax.Path:
		for _, p := range x.Parts {
			if ip, ok := p.(*syntax.Interp); ok {
				s.walk(ip.X, e, "", ctx&^ctxConcat)
			}
		}
	case *syntax.List:
		for i, el := range x.Elems {
			s.walk(el, e, "", ctx&^ctxConcat)
			// A command line's `--engine-image` names the next argument.
			if flag := imageFlag(el); flag != "" && i+1 < len(x.Elems) && ctx&ctxDoc == 0 {
				s.imageValue(x.Elems[i+1], e, flag, nil)
			}
		}
	case *syntax.AttrSet:
		inner := e
		if x.Rec {
			inner = s.ev.scope(x, e)
		}
		s.walkSet(s.ev.setOf(x, x.Bindings, inner, e), key, ctx&^ctxConcat, false)
	case *syntax.LegacyLet:
		s.walkSet(s.ev.scope(x, e).set, "", ctx&^ctxConcat, true)
	case *syntax.Let:
		inner := s.ev.scope(x, e)
		s.walkSet(inner.set, "", ctx&^ctxConcat, true)
		s.walk(x.Body, inner, key, ctx)
	case *syntax.Lambda:
		inner := s.ev.scope(x, e)
		if x.Formals != nil {
			for _, f := range x.Formals.List {
				if f.Default == nil || f.Name == nil {
					continue
				}
				s.walk(f.Default, inner, f.Name.Name, ctx&^ctxConcat)
				if ctx&ctxDoc == 0 && isImageName(f.Name.Name) {
					s.imageValue(f.Default, inner, f.Name.Name, f)
				}
			}
		}
		s.walk(x.Body, inner, "", ctx&^ctxConcat)
	case *syntax.Select:
		s.walk(x.X, e, "", ctx&^ctxConcat)
		s.walkNames(x.Path, e, ctx)
		s.walk(x.Default, e, key, ctx&^ctxConcat)
	case *syntax.HasAttr:
		s.walk(x.X, e, "", ctx&^ctxConcat)
		s.walkNames(x.Path, e, ctx)
	case *syntax.Apply:
		c := ctx &^ ctxConcat
		switch name := fnName(x.Fn); {
		case docFunctions[name]:
			s.walk(x.Fn, e, "", c)
			s.walk(x.Arg, e, "", c|ctxDoc)
			return
		case name == "mkOption":
			s.walk(x.Fn, e, "", c)
			s.walk(x.Arg, e, key, c|ctxOption)
			return
		}
		if set, ok := unparen(x.Arg).(*syntax.AttrSet); ok {
			s.callee[set] = x.Fn
		}
		s.walk(x.Fn, e, "", c)
		s.walk(x.Arg, e, key, c)
	case *syntax.Unary:
		s.walk(x.X, e, "", ctx&^ctxConcat)
	case *syntax.Binary:
		switch x.Op {
		case syntax.PLUS:
			if ctx&(ctxDoc|ctxConcat) == 0 {
				s.shapedConcat(x, e, key)
			}
			s.walkOperand(x.X, e, key, ctx)
			s.walkOperand(x.Y, e, key, ctx)
		case syntax.UPDATE:
			s.walk(x.X, e, key, ctx&^ctxConcat)
			s.walk(x.Y, e, key, ctx&^ctxConcat)
		default:
			s.walk(x.X, e, "", ctx&^ctxConcat)
			s.walk(x.Y, e, "", ctx&^ctxConcat)
		}
	case *syntax.If:
		s.walk(x.Cond, e, "", ctx&^ctxConcat)
		s.walk(x.Then, e, key, ctx&^ctxConcat)
		s.walk(x.Else, e, key, ctx&^ctxConcat)
	case *syntax.Assert:
		s.walk(x.Cond, e, "", ctx&^ctxConcat)
		s.walk(x.Body, e, key, ctx&^ctxConcat)
	case *syntax.With:
		s.walk(x.Env, e, "", ctx&^ctxConcat)
		s.walk(x.Body, s.ev.scope(x, e), key, ctx&^ctxConcat)
	case *syntax.Ident:
		// Resolve every use so that names know all their uses.
		if b, _ := e.lookup(x.Name); b != nil {
			b.addUse(x.Span, s.ev.mem)
		}
	}
}

// walkOperand walks one side of `+`: a string (or a further `+`) there is
// part of the whole the `+` makes, which is checked once.
func (s *scanner) walkOperand(x syntax.Expr, e *env, key string, ctx wctx) {
	switch y := unparen(x).(type) {
	case *syntax.String:
		s.walk(y, e, key, ctx|ctxConcat)
	case *syntax.Binary:
		if y.Op == syntax.PLUS {
			s.walk(y, e, key, ctx|ctxConcat)
			return
		}
		s.walk(x, e, "", ctx&^ctxConcat)
	default:
		s.walk(x, e, "", ctx&^ctxConcat)
	}
}

func (s *scanner) walkNames(names []*syntax.AttrName, e *env, ctx wctx) {
	for _, n := range names {
		s.walkName(n, e, ctx)
	}
}

func (s *scanner) walkName(n *syntax.AttrName, e *env, ctx wctx) {
	switch {
	case n == nil:
	case n.Interp != nil:
		s.walk(n.Interp.X, e, "", ctx&^ctxConcat)
	case n.Str != nil && !n.Static:
		s.walk(n.Str, e, "", (ctx&^ctxConcat)|ctxDoc)
		// The string is a name: its interpolations count as uses, its
		// text is no site.
	}
}

// walkSet visits a set (or, with scope, the names of a let) once: the set
// itself as a possible helm-values site, then each attribute.
func (s *scanner) walkSet(m *attrSet, key string, ctx wctx, scope bool) {
	if m.walked {
		return
	}
	m.walked = true
	if !scope && ctx&ctxDoc == 0 {
		s.checkSet(m, key, ctx&ctxImage != 0)
	}
	// The arguments of pullImage are one site of their own, not strings
	// under image-named keys, and a container whose image is never pulled
	// runs a local one: no reference to pin.
	pull := !scope && isPullSet(m)
	if pull && ctx&ctxDoc == 0 {
		s.checkPull(m)
	}
	// A chart fetch's strings name a chart, never an image.
	chart := !scope && !pull && isChartSet(m)
	if chart && ctx&ctxDoc == 0 {
		s.checkChart(m)
	}
	skip := pull || chart || (!scope && isLocalImage(m))
	for _, b := range m.ents {
		s.walkEnt(b, ctx, skip)
	}
	for _, b := range m.dyn {
		s.walkEnt(b, ctx, skip)
	}
	if !scope && ctx&ctxDoc == 0 {
		s.envImage(m)
	}
}

// envImage records the value of an environment variable that names an
// image: `{ name = "WORKER_IMAGE"; value = "acme/worker:2.3"; }`.
func (s *scanner) envImage(m *attrSet) {
	name, value := m.get("name"), m.get("value")
	if name == nil || value == nil || name.kind != entExpr || value.kind != entExpr || len(m.ents) > 3 {
		return
	}
	str, ok := unparen(name.expr).(*syntax.String)
	if !ok {
		return
	}
	if n, ok := str.Literal(); ok && isImageName(n) {
		s.imageValue(value.expr, value.env, n, value.decl)
	}
}

// isLocalImage reports whether m is a container whose image is never
// pulled (imagePullPolicy = "Never"): it runs what the node has.
func isLocalImage(m *attrSet) bool {
	for _, k := range []string{"imagePullPolicy", "pullPolicy"} {
		if b := m.get(k); b != nil && b.kind == entExpr {
			if str, ok := unparen(b.expr).(*syntax.String); ok {
				if v, ok := str.Literal(); ok && v == "Never" {
					return true
				}
			}
		}
	}
	return false
}

// imageFlag returns the flag x is when it is a command-line flag naming an
// image (`--engine-image`), or "".
func imageFlag(x syntax.Expr) string {
	str, ok := unparen(x).(*syntax.String)
	if !ok || str.Indented || len(str.Parts) != 1 {
		return ""
	}
	v := str.TextValue(0)
	if !strings.HasPrefix(v, "-") {
		return ""
	}
	name := strings.TrimLeft(v, "-")
	if len(v)-len(name) > 2 || !strings.HasSuffix(strings.ToLower(name), "image") {
		return ""
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '_' {
			return ""
		}
	}
	return v
}

func (s *scanner) walkEnt(b *ent, ctx wctx, skip bool) {
	if skip && isImageName(b.name) {
		ctx |= ctxDoc
	}
	c := ctx &^ ctxOption
	if isImageName(b.name) || isImageListName(b.name) {
		c |= ctxImage
	}
	if ctx&ctxOption != 0 && docNames[b.name] {
		c |= ctxDoc
	}
	if b.key != nil && !b.key.Static {
		s.walkName(b.key, b.env, c)
	}
	switch b.kind {
	case entNested:
		s.walkSet(b.nested, b.name, c, false)
	case entExpr:
		s.walk(b.expr, b.env, b.name, c)
		if c&ctxDoc != 0 || b.name == "" {
			return
		}
		switch {
		case isImageName(b.name):
			s.imageValue(b.expr, b.env, b.name, b.decl)
		case isImageListName(b.name):
			s.imageList(b.expr, b.env, b.name, b.decl)
		}
	case entInherit:
		v := s.ev.entValue(b, 0) // resolves the name, recording the use
		if c&ctxDoc == 0 && isImageName(b.name) {
			s.addString(v, b.name, isLenientName(b.name), false, b.decl)
		}
	case entInheritFrom:
		if in, ok := b.decl.(*syntax.Inherit); ok && firstStatic(in) == b.key {
			s.walk(b.expr, b.env, "", c)
		}
		if c&ctxDoc == 0 && isImageName(b.name) {
			s.addString(s.ev.entValue(b, 0), b.name, isLenientName(b.name), false, b.decl)
		}
	}
}

func firstStatic(in *syntax.Inherit) *syntax.AttrName {
	for _, n := range in.Names {
		if n.Static {
			return n
		}
	}
	return nil
}

// imageValue records the value of an image-named attribute as a string
// site candidate when it evaluates to a string.
func (s *scanner) imageValue(x syntax.Expr, e *env, key string, decl syntax.Node) {
	x = unparen(x)
	// Each branch of a conditional is an image of its own.
	if c, ok := x.(*syntax.If); ok {
		s.imageValue(c.Then, e, key, decl)
		s.imageValue(c.Else, e, key, decl)
		return
	}
	// An option's default is the image a module library ships: a Docker
	// Hub name is one there. Under `image` even a bare word is; under
	// another image-named option it needs a namespace, since a bare word
	// there is as often a disk image ("home.img"), and an imageName option
	// needs a registry or a tag like any imageName.
	lenient := isLenientName(key)
	v := s.ev.eval(x, e, 0)
	if !lenient && isOption(x) && !isImageNameKey(key) {
		if sv, ok := v.(*strVal); ok && strings.Contains(sv.text, "/") {
			lenient = true
		}
	}
	s.addString(v, key, lenient, false, decl)
}

// imageList records the string elements of a list of images.
func (s *scanner) imageList(x syntax.Expr, e *env, key string, decl syntax.Node) {
	switch v := s.ev.eval(x, e, 0).(type) {
	case *listVal:
		for _, el := range v.elems {
			s.addString(s.ev.eval(el, v.env, 0), key, false, false, decl)
		}
	case *attrsVal:
		// images = { web = "acme/web:1.2"; db = ...; }: the values that
		// have a tag or digest; a registry prefix beside them is none.
		for _, m := range v.sets {
			for _, b := range m.ents {
				if b.kind != entExpr {
					continue
				}
				if sv, ok := s.ev.entValue(b, 0).(*strVal); ok && sv.known() {
					if r, err := s.parse(sv.text); err == nil && (r.Tag != "" || r.Digest != "") {
						s.addString(sv, key, false, false, b.decl)
					}
				}
			}
		}
	}
}

// isOption reports whether x is an option declaration `mkOption { ... }`.
func isOption(x syntax.Expr) bool {
	a, ok := unparen(x).(*syntax.Apply)
	return ok && fnName(a.Fn) == "mkOption"
}

func (s *scanner) addString(v value, key string, lenient, shaped bool, decl syntax.Node) {
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
	c := s.add(sv.whole, func() *candidate { return &candidate{form: FormString, val: sv} }, decl)
	if key != "" && c.imageKey == "" {
		c.imageKey = key
	}
	c.lenient = c.lenient || lenient
	c.shaped = c.shaped || shaped
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

// shaped records a string that is unmistakably an image reference
// wherever it is: an explicit registry host plus a tag or digest
// ("ghcr.io/x/y:1.0").
func (s *scanner) shaped(x *syntax.String, e *env, key string) {
	if isImageAdjacent(key) || isImageName(key) {
		// Next to an image, never one; or the value of an image-named
		// attribute, which imageValue records whatever its shape.
		return
	}
	// Most strings are names, commands and paths: rule them out before
	// parsing, and before assembling the value. The tests are on single
	// bytes, so they hold for the parts as for their concatenation.
	var slash, sep, interp bool
	for i, p := range x.Parts {
		if _, ok := p.(*syntax.StringText); !ok {
			interp = true
			continue
		}
		v := x.TextValue(i)
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
	if !interp {
		lit, ok := x.Literal()
		if !ok || !s.unmistakable(lit) {
			return
		}
		s.addString(s.ev.evalString(x, e, 0), key, false, true, nil)
		return
	}
	sv, ok := s.ev.evalString(x, e, 0).(*strVal)
	if !ok || !sv.known() || !s.unmistakable(sv.text) {
		return
	}
	s.addString(sv, key, false, true, nil)
}

// shapedConcat is shaped for a `+` of strings.
func (s *scanner) shapedConcat(x *syntax.Binary, e *env, key string) {
	if isImageAdjacent(key) {
		return
	}
	sv, ok := s.ev.eval(x, e, 0).(*strVal)
	if !ok || !sv.known() || !s.unmistakable(sv.text) {
		return
	}
	s.addString(sv, key, false, true, nil)
}

// unmistakable reports whether text is an image reference with an
// explicit registry host and a tag or digest.
func (s *scanner) unmistakable(text string) bool {
	r, err := s.parse(text)
	return err == nil && r.Registry() != "" && (r.Tag != "" || r.Digest != "") && !taintEffects[r.Tag]
}

// taintEffects end a node taint (`node.example.io/not-ready:NoExecute`),
// which reads like host/path:tag.
var taintEffects = map[string]bool{"NoSchedule": true, "PreferNoSchedule": true, "NoExecute": true}

// add returns the candidate of key, making it with mk the first time.
func (s *scanner) add(key any, mk func() *candidate, decl syntax.Node) *candidate {
	c, ok := s.cands[key]
	if !ok {
		c = mk()
		c.key = key
		s.cands[key] = c
		s.order = append(s.order, c)
	}
	if decl != nil {
		c.decls = append(c.decls, decl)
	}
	return c
}

// helmKeys are the keys of a helm-values image set.
var helmKeys = [...]string{"registry", "repository", "repo", "tag", "digest"}

// checkSet records a helm-values set: a `repository` (or `repo`) and a
// `tag` or `digest` under any name, or, under an image-named key, the
// part of one that a chart completes (a tag alone, a repository alone).
func (s *scanner) checkSet(m *attrSet, key string, underImage bool) {
	// One pass over the entries: most sets have none of these keys, and
	// a switch on the name costs less than a lookup per key.
	var found, flatFound [len(helmKeys)]*ent
	any := false
	for _, b := range m.ents {
		i, flatName := helmKeyIndex(b.name)
		if i < 0 || b.kind == entNested {
			continue
		}
		any = true
		if flatName {
			flatFound[i] = b
		} else {
			found[i] = b
		}
	}
	if !any {
		return
	}
	// Charts that flatten their values: imageRepository, imageTag.
	flat := false
	for i, b := range flatFound {
		if b != nil && found[i] == nil {
			found[i], flat = b, true
		}
	}
	if isPullSet(m) || isFetchSet(m) {
		return
	}
	// An empty or null tag or digest is no tag: charts read `tag: ""` as
	// "the chart's appVersion".
	for _, i := range []int{3, 4} {
		if b := found[i]; b != nil && b.kind == entExpr {
			switch x := unparen(b.expr).(type) {
			case *syntax.String:
				if len(x.Parts) == 0 {
					found[i] = nil
				}
			case *syntax.Ident:
				if x.Name == "null" {
					found[i] = nil
				}
			}
		}
	}
	_, repository, repo, tag, digest := found[0], found[1], found[2], found[3], found[4]
	repoEnt := repository
	if repoEnt == nil {
		repoEnt = repo
	}
	full := repoEnt != nil && (tag != nil || digest != nil)
	partial := false
	switch {
	case flat:
		// Flattened keys make a whole image only: kubeadm's
		// imageRepository alone is a registry, its imageTag a tag of an
		// image whose name kubeadm adds.
		if !full || !s.flatRepository(repoEnt) {
			return
		}
	case full:
	case repoEnt != nil:
		partial = isImageName(key) || underImage
	case tag != nil || digest != nil:
		// A tag alone is part of an image only among image keys: a
		// build's { name; tag; contents; } is something else.
		partial = (isImageName(key) || underImage) && onlyImageKeys(m)
	}
	if !full && !partial {
		return
	}
	keys := map[string]*setKey{}
	for i, b := range found {
		if b == nil {
			continue
		}
		keys[helmKeys[i]] = &setKey{name: helmKeys[i], bind: b.decl, val: s.ev.entValue(b, 0)}
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
	if repoEnt != nil {
		repoName := "repository"
		if repository == nil {
			repoName = "repo"
		}
		rk := keys[repoName]
		rv, ok := rk.val.(*strVal)
		if !ok || !hasName(rv) {
			return
		}
		if rk.name == "repo" && rv.known() && !s.isRepository(rv.text) {
			// Chart repositories ("https://charts...", "oci://...")
			// share the key; only an image repository parses.
			return
		}
		keys["repository"] = rk
	} else {
		// A tag alone: it must be written here, as text.
		for _, name := range []string{"tag", "digest"} {
			if k := keys[name]; k != nil {
				if v, ok := k.val.(*strVal); !ok || !hasName(v) {
					return
				}
			}
		}
	}
	form := FormAttrSet
	if partial {
		form = FormPartial
	}
	c := s.add(m, func() *candidate { return &candidate{form: form, set: m, keys: keys} }, nil)
	c.imageKey = key
}

// isFetchSet reports whether m is the argument set of a source fetcher
// (fetchFromGitHub { owner; repo; tag; hash; }): its repo and tag name a
// repository of code.
func isFetchSet(m *attrSet) bool {
	for _, k := range []string{"owner", "hash", "sha256", "rev", "url"} {
		if m.get(k) != nil {
			return true
		}
	}
	return false
}

// helmKeyIndex is the index in helmKeys of the key n names, and whether
// n is the flattened name charts give it (Elasticsearch's imageTag, some
// charts' imageRepository); -1 when n is none.
func helmKeyIndex(n string) (int, bool) {
	switch n {
	case "registry":
		return 0, false
	case "repository":
		return 1, false
	case "repo":
		return 2, false
	case "tag":
		return 3, false
	case "digest":
		return 4, false
	case "imageRegistry":
		return 0, true
	case "imageRepository":
		return 1, true
	case "imageTag":
		return 3, true
	}
	return -1, false
}

// flatRepository reports whether a flattened imageRepository holds a
// repository path, not a registry alone.
func (s *scanner) flatRepository(b *ent) bool {
	sv, ok := s.ev.entValue(b, 0).(*strVal)
	return ok && strings.Contains(strings.Trim(sv.text, "/"), "/")
}

// imageValueKeys are the keys a chart's image values hold.
var imageValueKeys = map[string]bool{
	"registry": true, "repository": true, "repo": true, "tag": true, "digest": true,
	"imageRegistry": true, "imageRepository": true, "imageTag": true,
	"pullPolicy": true, "pullSecrets": true, "imagePullPolicy": true, "sha": true, "debug": true,
	"useDigest": true,
}

// onlyImageKeys reports whether every attribute of m is one a chart's
// image values hold: a set with other keys (a build's `name`, `contents`)
// is something else that happens to have a tag.
func onlyImageKeys(m *attrSet) bool {
	for _, b := range m.ents {
		if !imageValueKeys[b.name] {
			return false
		}
	}
	return len(m.dyn) == 0
}

// refCache remembers what imageref says of a text: a shaped string is
// parsed when it is found and again when its site is built, and the same
// references recur across files. It is safe for concurrent use.
type refCache struct {
	mu    sync.Mutex
	parse map[string]parsedRef
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
	// The cache outlives the file: it must not hold the file's memory.
	text = strings.Clone(text)
	r, err := imageref.Parse(text)
	cachePut(s.refs, &s.refs.parse, text, parsedRef{r, err})
	return r, err
}

// isRepository reports whether imageref.ParseRepository accepts text.
func (s *scanner) isRepository(text string) bool {
	if ok, found := cacheGet(s.refs, &s.refs.repo, text); found {
		return ok
	}
	_, err := imageref.ParseRepository(text)
	cachePut(s.refs, &s.refs.repo, strings.Clone(text), err == nil)
	return err == nil
}

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
