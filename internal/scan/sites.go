package scan

import (
	"bytes"
	"cmp"
	"errors"
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
	ignored := s.ignoredLines()
	isUse := s.setUses()
	// Every candidate's site, before derived strings are told apart: a
	// candidate that makes no site (a bare word under imageName) owns
	// nothing, and a string built from it is a site of its own.
	prim := map[*candidate]*Site{}
	for _, c := range s.order {
		if isUse[c] {
			continue
		}
		var site *Site
		switch c.form {
		case FormString:
			site = s.stringSite(c)
		case FormAttrSet:
			site = s.setSite(c)
		case FormPartial:
			site = s.partialSite(c)
		case FormEmbedded:
			site = s.embeddedSite(c)
		case FormPull:
			site = s.pullSite(c)
		case FormChart:
			site = s.chartSite(c)
		}
		if site != nil {
			prim[c] = site
		}
	}
	owner := s.owners(prim)

	built := map[*candidate]*Site{}
	var out []*Site
	derivedOf := map[*candidate]*candidate{}
	for _, c := range s.order {
		switch c.form {
		case FormString:
			for _, n := range c.val.nodes {
				if n == c.key {
					continue
				}
				if o := owner[n]; o != nil && o != c {
					derivedOf[c] = o
					break
				}
			}
		case FormEmbedded:
			// `image: ${toolbox}` in YAML: the interpolation's string
			// is another site's, and the string is derived from it.
			for _, p := range c.val.parts {
				if o := owner[p.str]; p.str != nil && o != nil {
					derivedOf[c] = o
					break
				}
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
		site := prim[c]
		if _, derived := derivedOf[c]; derived || site == nil {
			continue
		}
		if s.isIgnored(ignored, site.Offset, c.decls, site.decl) {
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
	addDerived := func(n syntax.Node, pos int, o *candidate, loc location, decls []syntax.Node) {
		o = origin(o)
		from := built[o]
		if from == nil || seen[dkey{n, o}] {
			return
		}
		seen[dkey{n, o}] = true
		if s.isIgnored(ignored, pos, decls, loc.decl) {
			return
		}
		p := s.f.Position(pos)
		out = append(out, &Site{
			File: s.f.Name, Line: p.Line, Column: p.Column, Offset: pos,
			Form: FormDerived, AttrPath: s.pathString(loc.path),
			Ref: from.Ref, Image: from.Image, Pinned: from.Pinned,
			Reason:      "derived from " + from.Position(),
			DerivedFrom: from,
			Edit:        Edit{End: -1},
		})
	}
	for _, c := range s.order {
		if o, ok := derivedOf[c]; ok && c.form == FormString {
			n := c.key.(syntax.Node)
			addDerived(n, n.NodeSpan().Start, o, s.locate(n), c.decls)
		}
	}
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
				addDerived(is.str, pos, o, s.locate(is.str), nil)
				break
			}
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
	if k == nil {
		return nil
	}
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
		if c.form != FormAttrSet && c.form != FormPartial {
			continue
		}
		if str := repoLiteral(c); str != nil {
			if o := inPlace[str.str]; o != nil && o != c {
				isUse[c] = true
				o.decls = append(o.decls, c.decls...)
				o.decls = append(o.decls, s.setDecl(c))
			}
		}
	}
	return isUse
}

// owners maps the nodes that hold a site's reference whole to the site:
// the string (or `+`) of a string site, the whole value of a set's
// repository and registry. A string whose evaluation passes through one of
// them is derived from that site. A fragment used to build a reference
// (`app` in "ghcr.io/x/${app}:1") owns nothing: a ConfigMap name built
// from it is no image.
func (s *scanner) owners(prim map[*candidate]*Site) map[syntax.Node]*candidate {
	owner := map[syntax.Node]*candidate{}
	for _, c := range s.order {
		if prim[c] == nil {
			continue
		}
		switch c.form {
		case FormString:
			owner[c.key.(syntax.Node)] = c
		case FormAttrSet:
			for _, name := range []string{"registry", "repository"} {
				k := c.keys[name]
				if k == nil {
					continue
				}
				if sv, ok := k.val.(*strVal); ok && sv.whole != nil {
					if _, taken := owner[sv.whole]; !taken {
						owner[sv.whole] = c
					}
				}
			}
		}
	}
	return owner
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

func (s *scanner) isIgnored(lines map[int]bool, pos int, decls []syntax.Node, decl syntax.Node) bool {
	if len(lines) == 0 {
		return false
	}
	if lines[s.f.Position(pos).Line] {
		return true
	}
	if decl != nil && lines[s.f.Position(decl.NodeSpan().Start).Line] {
		return true
	}
	for _, d := range decls {
		if d != nil && lines[s.f.Position(d.NodeSpan().Start).Line] {
			return true
		}
	}
	return false
}

// newSite is a site of form at offset pos, located at node.
func (s *scanner) newSite(form Form, pos int, at syntax.Node) *Site {
	p := s.f.Position(pos)
	loc := s.locate(at)
	return &Site{
		File: s.f.Name, Line: p.Line, Column: p.Column, Offset: pos,
		Form: form, AttrPath: s.pathString(loc.path),
		Edit: Edit{End: -1},
		decl: loc.decl,
	}
}

// pinnedDigest reports whether a reference's digest pins it: a digest of
// zeros is a placeholder waiting for one.
func pinnedDigest(d string) bool {
	return d != "" && strings.Trim(strings.TrimPrefix(d, "sha256:"), "0") != ""
}

// fileExtensions end the names of files that image-named keys also hold:
// disks and pictures.
var fileExtensions = []string{".img", ".qcow2", ".iso", ".raw", ".vmdk", ".vhd", ".vhdx", ".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp", ".ico"}

// isFileName reports whether text names a file rather than an image.
func isFileName(text string) bool {
	l := strings.ToLower(text)
	for _, ext := range fileExtensions {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// invalid makes site a report of a value meant as a reference that is not
// one: a finding for check, never an edit.
func invalid(site *Site, text string, err error) *Site {
	site.Ref = text
	site.Reason = "not a valid image reference: " + invalidDetail(err)
	site.Invalid = true
	return site
}

// invalidDetail is what is wrong with a reference, without the reference.
func invalidDetail(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, imageref.ErrInvalid.Error()+": "); i >= 0 {
		return msg[i+len(imageref.ErrInvalid.Error())+2:]
	}
	if errors.Is(err, imageref.ErrInvalid) {
		return "malformed"
	}
	return msg
}

// stringSite builds the site of a whole reference in a string.
func (s *scanner) stringSite(c *candidate) *Site {
	sv := c.val
	known := sv.known()
	if known && imageref.IsHostPort(sv.text) {
		return nil
	}
	node := c.key.(syntax.Node)
	pos := node.NodeSpan().Start
	r, ref, err := s.parseWithUnknowns(sv)
	if err != nil {
		if known && c.imageKey != "" && looksAttempted(sv.text) {
			site := s.newSite(FormString, pos, node)
			site.Edit.Literal = node.NodeSpan()
			return invalid(site, sv.text, err)
		}
		return nil
	}
	if !c.lenient && !c.shaped && r.Registry() == "" && r.Tag == "" && r.Digest == "" {
		// A bare word under imageName and the like is too often no image.
		return nil
	}
	if isFileName(sv.text) {
		return nil // a disk or picture under an image key: "state.img"
	}
	site := s.newSite(FormString, pos, node)
	site.Ref, site.Pinned = ref, pinnedDigest(r.Digest)
	site.Edit.Literal = node.NodeSpan()
	if known {
		site.Image = r
	}
	s.fillEdit(site, sv, r)
	return site
}

// embeddedSite builds the site of a reference in a larger string.
func (s *scanner) embeddedSite(c *candidate) *Site {
	sv := c.val
	k := c.key.(embKey)
	r, ref, err := s.parseWithUnknowns(sv)
	if err != nil {
		if sv.known() && looksAttempted(sv.text) {
			site := s.newSite(FormEmbedded, c.pos, k.str)
			site.Edit.Literal = k.str.Span
			return invalid(site, sv.text, err)
		}
		return nil
	}
	if !c.lenient && r.Registry() == "" && r.Tag == "" && r.Digest == "" {
		return nil
	}
	site := s.newSite(FormEmbedded, c.pos, k.str)
	site.Ref, site.Pinned = ref, pinnedDigest(r.Digest)
	site.Edit.Literal = k.str.Span
	if sv.known() {
		site.Image = r
	}
	s.fillEdit(site, sv, r)
	return site
}

// setDecl is the binding a set is the value of, or the first binding that
// writes it (`image.tag = ...;`).
func (s *scanner) setDecl(c *candidate) syntax.Node {
	switch n := c.set.node.(type) {
	case *syntax.Assign:
		return n
	default:
		return s.locate(n).decl
	}
}

// composed joins a set's keys into the reference they spell, registry,
// repository, tag and digest as given.
func (s *scanner) composed(c *candidate, names []string) *strVal {
	// The parts are joined once at the end rather than one concat each.
	var pieceBuf [8]*strVal
	pieces := pieceBuf[:0]
	for _, name := range names {
		k := c.keys[name]
		if k == nil {
			continue
		}
		var sv *strVal
		switch v := k.val.(type) {
		case *strVal:
			sv = k.used(v)
		case *unknownVal:
			text := "${" + s.valueText(k) + "}"
			sv = &strVal{text: text, parts: []part{{end: len(text), unknown: v.reason, arg: v.arg}}}
		default:
			continue
		}
		sep := ""
		switch name {
		case "repository":
			// A chart's `registry: docker.io/` ends in the slash itself.
			if len(pieces) > 0 && !strings.HasSuffix(pieces[len(pieces)-1].text, "/") {
				sep = "/"
			}
		case "tag":
			sep = ":"
		case "digest":
			sep = "@"
		}
		if sep != "" {
			pieces = append(pieces, &strVal{text: sep, parts: []part{{end: len(sep), synthetic: true}}})
		}
		pieces = append(pieces, sv)
	}
	switch len(pieces) {
	case 0:
		return nil
	case 1:
		return pieces[0].clone()
	}
	return concatAll(pieces)
}

// used is v, the value of k, with the expression that brings it into the
// set as the use of its text: the value of `tag = imageTag;`, the name of
// `inherit tag;`.
func (k *setKey) used(v *strVal) *strVal {
	switch b := k.bind.(type) {
	case *syntax.Assign:
		return withUse(v, b.Value)
	case *syntax.Inherit:
		for _, n := range b.Names {
			if n.Static && n.Name == k.name {
				v = withUseSpan(v, n.Span)
			}
		}
	}
	return v
}

// firstLiteral is the literal holding a key's value, and where it
// starts: the string that is its whole value (a string with
// interpolations, the literal a variable is bound to), else its first
// literal piece; the binding's start when it has none.
func firstLiteral(k *setKey) (int, syntax.Span) {
	if rv, ok := k.val.(*strVal); ok {
		if str, ok := rv.whole.(*syntax.String); ok {
			return str.Start, str.Span
		}
		for _, p := range rv.parts {
			if p.str != nil {
				return p.str.Start, p.str.Span
			}
		}
	}
	return k.bind.NodeSpan().Start, syntax.Span{}
}

// setSite builds the site of a helm-values set.
func (s *scanner) setSite(c *candidate) *Site {
	comp := s.composed(c, []string{"registry", "repository", "tag", "digest"})
	if comp == nil {
		return nil
	}
	repo := c.keys["repository"]
	// The site is at the literal holding the repository.
	pos, lit := firstLiteral(repo)
	r, ref, err := s.parseWithUnknowns(comp)
	if err != nil {
		if comp.known() && looksAttempted(comp.text) {
			site := s.newSite(FormAttrSet, pos, repo.bind)
			site.AttrPath = s.setPath(c)
			site.Edit.Literal = lit
			return invalid(site, comp.text, err)
		}
		return nil
	}
	site := s.newSite(FormAttrSet, pos, repo.bind)
	site.AttrPath = s.setPath(c)
	site.decl = s.setDecl(c)
	site.Ref, site.Pinned = ref, pinnedDigest(r.Digest)
	site.Edit.Literal = lit
	ae := &AttrSetEdit{Span: c.set.node.NodeSpan()}
	after := repo.bind
	if k := c.keys["tag"]; k != nil {
		ae.Tag = k.bind.NodeSpan()
		after = k.bind
	}
	if k := c.keys["digest"]; k != nil {
		ae.Digest = k.bind.NodeSpan()
	}
	ae.InsertAt = after.NodeSpan().End
	ae.Indent = s.indentOf(after.NodeSpan().Start)
	if a, ok := after.(*syntax.Assign); ok && len(a.Path) > 1 {
		// `image.tag = "1";`: a key written beside it is spelled the same.
		ae.Prefix = s.text(syntax.Span{Start: a.Path[0].Start, End: a.Path[len(a.Path)-1].Start})
	}
	site.Edit.AttrSet = ae
	if comp.known() {
		site.Image = r
	}
	s.fillEdit(site, comp, r)
	return site
}

// setPath is the attr path of a set: the path its repository's binding is
// written at, without the key's own name.
func (s *scanner) setPath(c *candidate) string {
	for _, name := range []string{"repository", "tag", "digest", "registry"} {
		if k := c.keys[name]; k != nil {
			return s.pathString(s.locate(k.bind).path)
		}
	}
	return ""
}

// partialSite builds the site of a values set that writes only part of an
// image, the rest being the chart's default.
func (s *scanner) partialSite(c *candidate) *Site {
	var comp *strVal
	var at *setKey
	var reason string
	repoOnly := c.keys["repository"] != nil
	if repoOnly {
		comp = s.composed(c, []string{"registry", "repository"})
		at = c.keys["repository"]
		reason = "repository-only: the tag comes from the chart"
	} else {
		comp = s.composed(c, []string{"tag", "digest"})
		at = c.keys["tag"]
		if at == nil {
			at = c.keys["digest"]
		}
		reason = "tag-only: the repository comes from the chart"
	}
	if comp == nil || at == nil {
		return nil
	}
	pos, lit := firstLiteral(at)
	// Parse what is written as the part of a reference it is.
	probe := comp.text
	if !repoOnly {
		probe = placeholder + comp.text
	}
	var err error
	if comp.known() {
		if repoOnly {
			_, err = imageref.ParseRepository(probe)
		} else {
			_, err = s.parse(probe)
		}
	}
	site := s.newSite(FormPartial, pos, at.bind)
	site.AttrPath = s.setPath(c)
	site.decl = s.setDecl(c)
	site.Edit.Literal = lit
	if err != nil {
		if looksAttempted(comp.text) {
			return invalid(site, comp.text, err)
		}
		return nil
	}
	site.Ref = comp.text
	site.Pinned = strings.Contains(comp.text, "@sha256:")
	site.Reason = reason
	return site
}

// valueText is the source of a key's value, for showing it when unknown.
func (s *scanner) valueText(k *setKey) string {
	if a, ok := k.bind.(*syntax.Assign); ok {
		return s.text(a.Value.NodeSpan())
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
func (s *scanner) parseWithUnknowns(sv *strVal) (imageref.Ref, string, error) {
	if sv.known() {
		r, err := s.parse(sv.text)
		return r, sv.text, err
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
	return r, sv.text, err
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
	for i := range sv.parts {
		q := &sv.parts[i]
		if q.lit == nil {
			continue
		}
		if _, _, exact := s.srcRange(q, q.off, q.end); !exact {
			site.Reason = "the reference is written with escape sequences"
			return
		}
	}
	if p.via == nil && p.use == (syntax.Span{}) {
		_, site.Edit.End, _ = s.srcRange(p, p.off, end)
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

// srcRange maps [lo, hi) of sv.text, inside part p, to the source. exact
// is false when escape sequences lie in the range, so that text and source
// bytes do not line up there.
func (s *scanner) srcRange(p *part, lo, hi int) (start, end int, exact bool) {
	if p.lit == nil {
		return 0, 0, false
	}
	a, b := p.litOff+(lo-p.off), p.litOff+(hi-p.off)
	if p.lit.Raw == p.lit.Value {
		return p.lit.Start + a, p.lit.Start + b, true
	}
	m := rawOffsets(p.lit.Raw, p.str != nil && p.str.Indented)
	if len(m) != len(p.lit.Value)+1 || a < 0 || b >= len(m) {
		return p.lit.Start, p.lit.End, false
	}
	return p.lit.Start + m[a], p.lit.Start + m[b], m[b]-m[a] == b-a
}

// rawOffsets maps each offset of a literal's decoded text to its raw
// bytes (one more entry, for the end): Nix's escapes and line endings.
func rawOffsets(raw string, indented bool) []int {
	m := make([]int, 0, len(raw)+1)
	for i := 0; i < len(raw); {
		switch {
		case raw[i] == '\r' && !indented:
			m = append(m, i)
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i += 2
			} else {
				i++
			}
		case !indented && raw[i] == '\\' && i+1 < len(raw):
			m = append(m, i)
			i += 2
		case indented && strings.HasPrefix(raw[i:], "'''"):
			m = append(m, i, i+1)
			i += 3
		case indented && strings.HasPrefix(raw[i:], "''$"):
			m = append(m, i)
			i += 3
		case indented && strings.HasPrefix(raw[i:], "''\\") && i+3 < len(raw):
			m = append(m, i)
			i += 4
		default:
			m = append(m, i)
			i++
		}
	}
	return append(m, len(raw))
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
		if start, end, ok := s.srcRange(p, lo, hi); ok {
			t.Span = syntax.Span{Start: start, End: end}
		} else {
			t.Span = p.lit.Span
		}
		t.Use = p.use
		if p.via != nil {
			t.Var = p.via.name
			if p.via.decl != nil {
				t.Binding = p.via.decl.NodeSpan()
			}
			t.Uses = p.via.uses
		}
		out = append(out, t)
	}
	return out
}
