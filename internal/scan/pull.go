package scan

import (
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// FormPull is the argument set of a pullImage call (dockerTools',
// nix2container's): an image Nix fetches by digest, whose fixed-output
// hash must change with the digest.
const FormPull Form = "pull"

// The keys of a pullImage argument set.
const (
	pullName   = "imageName"
	pullDigest = "imageDigest"
	pullTag    = "finalImageTag"
	// pullDefaultTag is the tag pullImage names the image with when the
	// set writes none.
	pullDefaultTag = "latest"
)

// pullHashKeys are the keys pullImage takes its fixed-output hash from,
// in the order it prefers them.
var pullHashKeys = [...]string{"hash", "sha256"}

// PullEdit locates what an update of a pulled image rewrites besides the
// reference: the fixed-output hash, which changes with the digest.
type PullEdit struct {
	// Span is the argument set, braces included.
	Span syntax.Span
	// HashKey is the name the hash is bound to ("sha256" or "hash"), ""
	// when the set binds none.
	HashKey string
	// Hash is the hash as written, when it is a literal of this file.
	Hash *Text
	// Func is the function the set is passed to, as written
	// ("pkgs.dockerTools.pullImage", "pull"); zero when the set is not
	// written as an argument (an option's default passed on elsewhere).
	Func syntax.Span
	// Nix2container: Func is nix2container's pullImage, whose hash is of
	// another output than dockerTools' (the manifest, not the image).
	Nix2container bool
	// Args are the set's other arguments (arch, os, tlsVerify,
	// finalImageName, ...), strings or booleans as written: the hash
	// depends on them, so the call that computes it passes them too.
	// finalImageTag is among them only when the set binds it.
	Args map[string]any
	// TagWritten: the set binds finalImageTag (pullImage's default,
	// "latest", applies otherwise).
	TagWritten bool
	// TagAt is where a finalImageTag binding goes when the set writes
	// none: after the imageDigest binding, on a line of its own indented
	// by TagIndent when that binding starts a line (TagIndent "" puts it
	// on the same line). -1 when the digest is not bound in the set.
	TagAt     int
	TagIndent string
}

// ReasonNix2container is the Reason of a nix2container pullImage site
// while registry.yaml names no nix2container_pull_function: without that
// function pinner cannot compute its hash (see AllowNix2container).
const ReasonNix2container = "nix2container's pullImage has a hash of its own: name it in registry.yaml (nix2container_pull_function) for pinner to compute it"

// AllowNix2container makes the nix2container pullImage sites editable that
// only the missing nix2container_pull_function kept from it: for a
// configuration that names one.
func AllowNix2container(sites []Site) {
	for i := range sites {
		if s := &sites[i]; s.Form == FormPull && !s.Editable && s.Reason == ReasonNix2container {
			s.Editable, s.Reason = true, ""
		}
	}
}

// isPullSet reports whether m is the argument set of a pullImage call:
// only pullImage names an image by imageName and imageDigest. The set's
// keys, not the function's name, tell it, so that every path to the
// function (pkgs.dockerTools.pullImage, an alias, a `with`) is one.
func isPullSet(m *attrSet) bool {
	return m.get(pullDigest) != nil && m.get(pullName) != nil
}

// checkPull records a pullImage argument set whose name and digest are
// strings.
func (s *scanner) checkPull(m *attrSet) {
	keys := map[string]*setKey{}
	for role, name := range map[string]string{"repository": pullName, "tag": pullTag, "digest": pullDigest} {
		b := m.get(name)
		if b == nil || b.kind == entNested {
			continue
		}
		v := s.ev.entValue(b, 0)
		switch v.(type) {
		case *strVal, *unknownVal:
		default:
			return
		}
		keys[role] = &setKey{name: name, bind: b.decl, val: v}
	}
	if keys["repository"] == nil || keys["digest"] == nil {
		return
	}
	if keys["tag"] == nil {
		t := pullDefaultTag
		keys["tag"] = &setKey{name: pullTag, val: &strVal{text: t, parts: []part{{end: len(t), synthetic: true}}}}
	}
	s.add(m, func() *candidate { return &candidate{form: FormPull, set: m, keys: keys} }, nil)
}

// pullSite builds the site of a pullImage argument set: ref is
// imageName:finalImageTag@imageDigest.
func (s *scanner) pullSite(c *candidate) *Site {
	comp := s.composed(c, []string{"repository", "tag", "digest"})
	if comp == nil {
		return nil
	}
	repo := c.keys["repository"]
	pos, lit := firstLiteral(repo)
	site := s.newSite(FormPull, pos, repo.bind)
	site.AttrPath = s.setPath(c)
	site.decl = s.setDecl(c)
	site.Edit.Literal = lit
	r, ref, err := s.parseWithUnknowns(comp)
	if err != nil {
		if comp.known() {
			return invalid(site, comp.text, err)
		}
		return nil
	}
	site.Ref, site.Pinned = ref, pinnedDigest(r.Digest)
	if comp.known() {
		site.Image = r
	}
	s.fillEdit(site, comp, r)
	pe := &PullEdit{Span: c.set.node.NodeSpan()}
	if set, ok := c.set.node.(*syntax.AttrSet); ok {
		if fn := s.callee[set]; fn != nil {
			pe.Func = fn.NodeSpan()
		}
	}
	for _, k := range pullHashKeys {
		b := c.set.get(k)
		if b == nil || b.kind == entNested {
			continue
		}
		pe.HashKey = k
		if sv, ok := s.ev.entValue(b, 0).(*strVal); ok && sv.known() {
			if ts := s.texts(sv, 0, len(sv.text)); len(ts) == 1 {
				pe.Hash = &ts[0]
			}
		}
		break
	}
	site.Edit.Pull = pe
	pe.TagWritten = c.set.get(pullTag) != nil
	pe.TagAt = -1
	if d := c.keys["digest"].bind; d != nil {
		sp := d.NodeSpan()
		pe.TagAt = sp.End
		src := s.f.Src
		i := sp.Start
		for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
			i--
		}
		if i == 0 || src[i-1] == '\n' {
			pe.TagIndent = string(src[i:sp.Start])
		}
	}
	opaque := s.pullArgs(c.set, pe)
	switch {
	case !site.Editable:
	case pe.Hash == nil:
		// The hash has to change with the digest, and pinner can write
		// only a hash written here.
		site.Editable = false
		site.Reason = "its hash is not a string of this file; pinner cannot write the hash the new digest needs"
	case opaque != "":
		site.Editable = false
		site.Reason = "its argument " + opaque + " is not a string or boolean of this file; pinner cannot compute the hash it gives"
	case pe.Func != (syntax.Span{}) && strings.Contains(s.text(pe.Func), "nix2container"):
		pe.Nix2container = true
		site.Editable = false
		site.Reason = ReasonNix2container
	}
	return site
}

// pullArgs fills pe.Args with the set's arguments other than the name,
// digest and hash, and returns the first one whose value is not a string
// or boolean written in this file ("" when there is none).
func (s *scanner) pullArgs(m *attrSet, pe *PullEdit) string {
	pe.Args = map[string]any{}
	for _, e := range m.ents {
		switch e.name {
		case pullName, pullDigest, pullHashKeys[0], pullHashKeys[1]:
			continue
		}
		if id, ok := e.expr.(*syntax.Ident); ok && e.kind == entExpr && (id.Name == "true" || id.Name == "false") {
			pe.Args[e.name] = id.Name == "true"
			continue
		}
		if e.kind != entNested {
			if sv, ok := s.ev.entValue(e, 0).(*strVal); ok && sv.known() {
				pe.Args[e.name] = sv.text
				continue
			}
		}
		return e.name
	}
	if len(m.dyn) > 0 {
		return "with a dynamic name"
	}
	return ""
}
