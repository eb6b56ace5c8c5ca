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
	if site.Editable && pe.Func != (syntax.Span{}) && strings.Contains(s.text(pe.Func), "nix2container") {
		// One pullImage computes the hashes of a run (registry.yaml's
		// pull_function, dockerTools' by default); nix2container's
		// fetches another output, with another hash.
		site.Editable = false
		site.Reason = "nix2container's pullImage has a hash of its own; pinner computes only dockerTools.pullImage's"
	}
	if site.Editable && pe.Hash == nil {
		// The hash has to change with the digest, and pinner can write
		// only a hash written here.
		site.Editable = false
		site.Reason = "its hash is not a string of this file; pinner cannot write the hash the new digest needs"
	}
	return site
}
