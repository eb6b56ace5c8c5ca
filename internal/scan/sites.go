package scan

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// sites classifies the candidates (primary, derived, or a use of another
// set), finds the derived strings, and builds the sites in source order.
func (s *scanner) sites() []Site {
	if len(s.order) == 0 {
		// No site, and no origin for a derived one.
		return []Site{}
	}
	// The candidates' attr paths and bindings, in one pass.
	keys := make([]syntax.Node, 0, len(s.order))
	for _, c := range s.order {
		switch c.key.(type) {
		case *syntax.String, *syntax.AttrSet:
			keys = append(keys, c.key)
		}
	}
	s.locate(keys)
	ignored := s.ignoredLines()
	isUse := s.setUses()
	owner := s.owners(isUse)

	built := map[*candidate]*Site{}
	var out []*Site
	derivedOf := map[*candidate]*candidate{}
	for _, c := range s.order {
		if c.form != FormString {
			continue
		}
		for _, n := range c.val.nodes {
			if n == c.key {
				continue
			}
			if o := owner[n]; o != nil && o != c {
				derivedOf[c] = o
				break
			}
		}
	}
	origin := func(c *candidate) *candidate {
		for i := 0; i < len(s.order); i++ {
			o, ok := derivedOf[c]
			if !ok {
				break
			}
			c = o
		}
		return c
	}

	for _, c := range s.order {
		if _, derived := derivedOf[c]; derived || isUse[c] {
			continue
		}
		var site *Site
		switch c.form {
		case FormString:
			site = s.stringSite(c)
		case FormAttrSet:
			site = s.setSite(c)
		}
		if site == nil {
			continue
		}
		if s.isIgnored(ignored, site.Offset, c.key, c.useDecls) {
			built[c] = nil
			continue
		}
		built[c] = site
		out = append(out, site)
	}

	// Derived strings: image-named ones found above, then any string whose
	// interpolation passes through a site.
	type dkey struct {
		n syntax.Node
		o *candidate
	}
	seen := map[dkey]bool{}
	addDerived := func(n syntax.Node, pos int, o *candidate, path string, decls []syntax.Node) {
		o = origin(o)
		from := built[o]
		if from == nil || seen[dkey{n, o}] {
			return
		}
		seen[dkey{n, o}] = true
		if s.isIgnored(ignored, pos, n, decls) {
			return
		}
		p := s.f.Position(pos)
		out = append(out, &Site{
			File: s.f.Name, Line: p.Line, Column: p.Column, Offset: pos,
			Form: FormDerived, AttrPath: path,
			Ref: from.Ref, Image: from.Image, Pinned: from.Pinned,
			Reason:      "derived from " + from.Position(),
			DerivedFrom: from,
			Edit:        Edit{End: -1},
		})
	}
	for _, c := range s.order {
		if o, ok := derivedOf[c]; ok {
			addDerived(c.key, spanOf(c.key).Start, o, s.pathFor(c), c.useDecls)
		}
	}
	// Derived interpolated strings are found first and located together.
	type pending struct {
		str *syntax.String
		pos int
		o   *candidate
	}
	var found []pending
	for _, is := range s.interps {
		if _, ok := owner[is.str]; ok {
			continue
		}
		if _, ok := s.cands[is.str]; ok {
			continue
		}
		for _, p := range is.str.Parts {
			ip, ok := p.(*syntax.Interp)
			if !ok {
				continue
			}
			sv, ok := s.ev.eval(ip.X, is.env, 0).(*strVal)
			if !ok {
				continue
			}
			for _, n := range sv.nodes {
				o := owner[n]
				if o == nil {
					continue
				}
				// A multi-line string is reported at the interpolation,
				// which is where the reader looks; a one-line string at
				// its start, like a string site.
				pos := is.str.Start
				if is.str.Indented {
					pos = ip.Start
				}
				found = append(found, pending{is.str, pos, o})
				break
			}
		}
	}

	if len(found) > 0 {
		strs := make([]syntax.Node, len(found))
		for i, p := range found {
			strs[i] = p.str
		}
		s.locate(strs)
		for _, p := range found {
			path, _ := s.pathOf(p.str)
			addDerived(p.str, p.pos, p.o, path, []syntax.Node{s.declOf(p.str)})
		}
	}

	slices.SortStableFunc(out, func(a, b *Site) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), strings.Compare(a.AttrPath, b.AttrPath))
	})
	sites := make([]Site, len(out))
	index := map[*Site]int{}
	for i, st := range out {
		index[st] = i
	}
	for i, st := range out {
		sites[i] = *st
		if st.DerivedFrom != nil {
			sites[i].DerivedFrom = &sites[index[st.DerivedFrom]]
		}
	}
	return sites
}

// repoText is the first literal piece of a set's repository.
type repoText struct {
	str *syntax.String
	// viaNone is true when the literal is written in the set itself.
	viaNone bool
}

func repoLiteral(c *candidate) *repoText {
	k := c.keys["repository"]
	sv, ok := k.val.(*strVal)
	if !ok {
		return nil
	}
	for _, p := range sv.parts {
		if p.str == nil {
			continue
		}
		a, ok := k.bind.(*syntax.Assign)
		return &repoText{str: p.str, viaNone: ok && unparen(a.Value) == syntax.Expr(p.str)}
	}
	return nil
}

// setUses finds the sets whose repository is selected from another set
// that writes it in place (`repository = image.repository;`): they are uses
// of that set, not sites of their own. A `pinner:ignore` on a use's line
// applies to the set it uses.
func (s *scanner) setUses() map[*candidate]bool {
	inPlace := map[*syntax.String]*candidate{}
	for _, c := range s.order {
		if c.form != FormAttrSet {
			continue
		}
		if str := repoLiteral(c); str != nil && str.viaNone {
			inPlace[str.str] = c
		}
	}
	isUse := map[*candidate]bool{}
	for _, c := range s.order {
		if c.form != FormAttrSet {
			continue
		}
		if str := repoLiteral(c); str != nil {
			if o := inPlace[str.str]; o != nil && o != c {
				isUse[c] = true
				o.useDecls = append(o.useDecls, c.useDecls...)
			}
		}
	}
	return isUse
}

// owners maps the strings that hold a site's reference to the site: the
// whole string of a string site, the repository (and registry) literals of
// a set. A string whose evaluation passes through one of them is derived
// from that site.
func (s *scanner) owners(isUse map[*candidate]bool) map[syntax.Node]*candidate {
	owner := map[syntax.Node]*candidate{}
	for _, c := range s.order {
		if isUse[c] {
			continue
		}
		switch c.form {
		case FormString:
			owner[c.key] = c
		case FormAttrSet:
			for _, name := range []string{"registry", "repository"} {
				k := c.keys[name]
				if k == nil {
					continue
				}
				sv, ok := k.val.(*strVal)
				if !ok {
					continue
				}
				for _, p := range sv.parts {
					if _, taken := owner[p.str]; p.str != nil && !taken {
						owner[p.str] = c
					}
				}
			}
		}
	}
	return owner
}

func (s *scanner) pathFor(c *candidate) string {
	if p, ok := s.pathOf(c.key); ok {
		return p
	}
	return c.usePath
}

var ignoreDirective = []byte(IgnoreDirective)

// ignoredLines are the lines holding a `# pinner:ignore` comment.
func (s *scanner) ignoredLines() map[int]bool {
	// Most files have none: a comment holding the directive needs the
	// file to hold it.
	if !bytes.Contains(s.f.Src, ignoreDirective) {
		return nil
	}
	lines := map[int]bool{}
	toks := s.f.Tokens
	if toks == nil { // parsed with syntax.SkipTokens
		toks = syntax.Lex(s.f.Src)
	}
	for _, t := range toks {
		if t.Kind != syntax.COMMENT {
			continue
		}
		if bytes.Contains(s.f.Src[t.Start:t.End], ignoreDirective) {
			lines[s.f.Position(t.Start).Line] = true
			lines[s.f.Position(max(t.End-1, t.Start)).Line] = true
		}
	}
	return lines
}

func (s *scanner) isIgnored(lines map[int]bool, pos int, key syntax.Node, decls []syntax.Node) bool {
	if len(lines) == 0 {
		return false
	}
	if lines[s.f.Position(pos).Line] {
		return true
	}
	if d := s.declOf(key); d != nil && lines[s.f.Position(spanOf(d).Start).Line] {
		return true
	}
	for _, d := range decls {
		if d != nil && lines[s.f.Position(spanOf(d).Start).Line] {
			return true
		}
	}
	return false
}

// stringSite builds the site of a whole reference in a string.
func (s *scanner) stringSite(c *candidate) *Site {
	sv := c.val
	known := sv.known()
	if known {
		if imageref.IsHostPort(sv.text) {
			return nil
		}
	}
	r, ref, ok := s.parseWithUnknowns(sv)
	if !ok {
		return nil
	}
	pos := spanOf(c.key).Start
	p := s.f.Position(pos)
	site := &Site{
		File: s.f.Name, Line: p.Line, Column: p.Column, Offset: pos,
		Form: FormString, AttrPath: s.pathFor(c),
		Ref: ref, Pinned: r.Digest != "",
		Edit: Edit{Literal: spanOf(c.key), End: -1},
	}
	if known {
		site.Image = r
	}
	s.fillEdit(site, sv, r)
	return site
}

// setSite builds the site of a helm-values set.
func (s *scanner) setSite(c *candidate) *Site {
	// The parts are joined once at the end rather than one concat each.
	var pieceBuf [8]*strVal
	pieces := pieceBuf[:0]
	add := func(k *setKey, sep string) {
		v, src := k.val, s.valueText(k)
		var sv *strVal
		switch v := v.(type) {
		case *strVal:
			sv = v
			switch b := k.bind.(type) {
			case *syntax.Assign:
				sv = withUse(sv, b.Value)
			case *syntax.Inherit:
				for _, n := range b.Names {
					if n.Static && n.Name == k.name {
						sv = withUseSpan(sv, n.Span)
					}
				}
			}
		case *unknownVal:
			text := "${" + src + "}"
			sv = &strVal{text: text, parts: []part{{end: len(text), unknown: v.reason, arg: v.arg}}}
		default:
			return
		}
		if len(pieces) > 0 {
			pieces = append(pieces, &strVal{text: sep, parts: []part{{end: len(sep), synthetic: true}}})
		}
		pieces = append(pieces, sv)
	}
	if k := c.keys["registry"]; k != nil {
		add(k, "")
	}
	repo := c.keys["repository"]
	add(repo, "/")
	if k := c.keys["tag"]; k != nil {
		add(k, ":")
	}
	if k := c.keys["digest"]; k != nil {
		add(k, "@")
	}
	var comp *strVal
	switch len(pieces) {
	case 0:
		return nil
	case 1:
		comp = pieces[0].clone()
	default:
		comp = concatAll(pieces)
	}
	r, ref, ok := s.parseWithUnknowns(comp)
	if !ok {
		return nil
	}
	// The site is at the literal holding the repository.
	pos := spanOf(repo.bind).Start
	var lit syntax.Span
	if rv, ok := repo.val.(*strVal); ok {
		for _, p := range rv.parts {
			if p.str != nil {
				pos = p.str.Start
				lit = p.str.Span
				break
			}
		}
	}
	p := s.f.Position(pos)
	site := &Site{
		File: s.f.Name, Line: p.Line, Column: p.Column, Offset: pos,
		Form: FormAttrSet, AttrPath: s.pathFor(c),
		Ref: ref, Pinned: r.Digest != "",
		Edit: Edit{Literal: lit, End: -1},
	}
	ae := &AttrSetEdit{Span: c.set.Span}
	after := repo.bind
	if k := c.keys["tag"]; k != nil {
		ae.Tag = spanOf(k.bind)
		after = k.bind
	}
	if k := c.keys["digest"]; k != nil {
		ae.Digest = spanOf(k.bind)
	}
	ae.InsertAt = spanOf(after).End
	ae.Indent = s.indentOf(spanOf(after).Start)
	site.Edit.AttrSet = ae
	if comp.known() {
		site.Image = r
	}
	s.fillEdit(site, comp, r)
	return site
}

// valueText is the source of a key's value, for showing it when unknown.
func (s *scanner) valueText(k *setKey) string {
	if a, ok := k.bind.(*syntax.Assign); ok {
		return s.text(spanOf(a.Value))
	}
	return k.name
}

// indentOf is the whitespace before offset on its line, or "" when other
// text precedes it.
func (s *scanner) indentOf(off int) string {
	i := off
	for i > 0 && (s.f.Src[i-1] == ' ' || s.f.Src[i-1] == '\t') {
		i--
	}
	if i > 0 && s.f.Src[i-1] != '\n' {
		return ""
	}
	return string(s.f.Src[i:off])
}

// parseWithUnknowns parses a string whose unknown parts are replaced by a
// placeholder. ref is the reference as shown: unknown parts as written.
func (s *scanner) parseWithUnknowns(sv *strVal) (imageref.Ref, string, bool) {
	if sv.known() {
		r, err := s.parse(sv.text)
		return r, sv.text, err == nil
	}
	var b strings.Builder
	last := 0
	for _, p := range sv.parts {
		if p.lit != nil || p.synthetic {
			continue
		}
		b.WriteString(sv.text[last:p.off])
		b.WriteString(placeholder)
		last = p.end
	}
	b.WriteString(sv.text[last:])
	r, err := s.parse(b.String())
	return r, sv.text, err == nil
}

// roles of a parsed reference: the ranges of repository, tag and digest in
// the text (placeholders included).
type roleRange struct {
	name       string
	start, end int
}

func roles(r imageref.Ref) []roleRange {
	out := []roleRange{{"repository", 0, len(r.Repository)}}
	at := len(r.Repository)
	if r.Tag != "" {
		out = append(out, roleRange{"tag", at + 1, at + 1 + len(r.Tag)})
		at += 1 + len(r.Tag)
	}
	if r.Digest != "" {
		out = append(out, roleRange{"digest", at + 1, at + 1 + len(r.Digest)})
	}
	return out
}

// fillEdit decides editability and locates the parts. r was parsed from
// sv's text with placeholders, so its ranges are in placeholder space;
// they are mapped back part by part.
func (s *scanner) fillEdit(site *Site, sv *strVal, r imageref.Ref) {
	// Map placeholder-space offsets to sv.text offsets: only needed for
	// unknown parts, which are reported, never located.
	if !sv.known() {
		site.Editable = false
		site.Reason = unknownReason(sv, r)
		return
	}
	rs := roles(r)
	site.Edit.Repository = s.texts(sv, rs[0].start, rs[0].end)
	for _, rr := range rs[1:] {
		ts := s.texts(sv, rr.start, rr.end)
		if len(ts) == 0 {
			continue
		}
		t := ts[len(ts)-1]
		switch rr.name {
		case "tag":
			site.Edit.Tag = &t
		case "digest":
			site.Edit.Digest = &t
		}
	}
	// The byte pinner writes after, or replaces.
	end := len(sv.text)
	var p *part
	if r.Digest != "" {
		p = partAt(sv, end-len(r.Digest))
		if q := partAt(sv, end-1); q != p {
			p = nil
		}
	} else {
		p = partAt(sv, end-1)
	}
	if p == nil || p.lit == nil {
		site.Reason = "the reference does not end in a literal"
		return
	}
	if _, exact := s.srcOffset(p, end); !exact {
		site.Reason = "the reference is written with escape sequences"
		return
	}
	if p.via == nil && p.use == (syntax.Span{}) {
		site.Edit.End, _ = s.srcOffset(p, end)
	}
	site.Editable = true
}

// unknownReason says which part of the reference cannot be known and why.
func unknownReason(sv *strVal, r imageref.Ref) string {
	// Offsets shift by the placeholder length per unknown part.
	shift := 0
	rs := roles(r)
	for _, p := range sv.parts {
		if p.lit != nil || p.synthetic {
			continue
		}
		at := p.off + shift
		shift += len(placeholder) - (p.end - p.off)
		role := "repository"
		for _, rr := range rs {
			if at >= rr.start && at < rr.end {
				role = rr.name
				break
			}
		}
		if p.arg != "" {
			return role + " depends on function argument '" + p.arg + "'"
		}
		return role + " is not known statically: " + p.unknown
	}
	return ""
}

func partAt(sv *strVal, off int) *part {
	for i := range sv.parts {
		if off >= sv.parts[i].off && off < sv.parts[i].end {
			return &sv.parts[i]
		}
	}
	return nil
}

// srcOffset maps an offset of sv.text inside part p (or just past it) to
// the source. exact is false when the literal has escapes, so that text
// and source bytes do not line up.
func (s *scanner) srcOffset(p *part, off int) (int, bool) {
	if p.lit == nil {
		return 0, false
	}
	in := p.litOff + (off - p.off)
	if p.lit.Raw != p.lit.Value {
		return p.lit.Start, false
	}
	return p.lit.Start + in, true
}

// texts returns the source texts covering [a, b) of sv.
func (s *scanner) texts(sv *strVal, a, b int) []Text {
	var out []Text
	for i := range sv.parts {
		p := &sv.parts[i]
		if p.lit == nil || p.end <= a || p.off >= b {
			continue
		}
		lo, hi := max(a, p.off), min(b, p.end)
		t := Text{Value: sv.text[lo:hi], Literal: p.str.Span}
		start, ok1 := s.srcOffset(p, lo)
		end, ok2 := s.srcOffset(p, hi)
		if ok1 && ok2 {
			t.Span = syntax.Span{Start: start, End: end}
		} else {
			t.Span = p.lit.Span
		}
		t.Use = p.use
		if p.via != nil {
			t.Var = p.via.name
			if p.via.decl != nil {
				t.Binding = spanOf(p.via.decl)
			}
			t.Uses = p.via.uses
		}
		out = append(out, t)
	}
	return out
}
