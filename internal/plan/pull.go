package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/scan"
)

// PullRequest asks for the fixed-output hash of a pulled image (a pull
// site) once it names Tag and Digest.
type PullRequest struct {
	Site        *scan.Site
	Tag, Digest string
}

// PullResult is the hash of one request, in the spelling of the site's
// hash, or why there is none.
type PullResult struct {
	Hash string
	Err  error
}

// PullHashes computes the hashes of all requests of a run at once.
type PullHashes func(ctx context.Context, reqs []PullRequest) ([]PullResult, error)

// ErrNoPullHash: a pulled image's new digest came without its hash, so
// the site was left as it was.
var ErrNoPullHash = errors.New("the hash of a pulled image could not be computed")

// pullHashes computes the hash of every pull target whose digest or tag
// changes, in one call. A digest is never written without its hash: the
// sites it cannot compute come back in missing, with the reason, and are
// left alone (see heldBack); the other sites go on.
func (p *Plan) pullHashes(ctx context.Context, targets []target, o Options) (hashes map[*scan.Site]string, missing map[*scan.Site]error) {
	var reqs []PullRequest
	for _, t := range targets {
		s := t.site
		if s.Form != scan.FormPull {
			continue
		}
		want := p.Resolved[t.key]
		if s.Image.Digest == want && !t.retag {
			continue
		}
		reqs = append(reqs, PullRequest{Site: s, Tag: t.tag, Digest: want})
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	hashes, missing = map[*scan.Site]string{}, map[*scan.Site]error{}
	var (
		res []PullResult
		err error
	)
	switch {
	case o.PullHash == nil:
		err = errors.New("no way to compute it in this run")
	default:
		res, err = o.PullHash(ctx, reqs)
		if err == nil && len(res) != len(reqs) {
			err = fmt.Errorf("%d hashes for %d images", len(res), len(reqs))
		}
	}
	for i, r := range reqs {
		switch {
		case err != nil:
			missing[r.Site] = fmt.Errorf("%w: %w", ErrNoPullHash, err)
		case res[i].Err != nil:
			missing[r.Site] = fmt.Errorf("%w: %w", ErrNoPullHash, res[i].Err)
		case res[i].Hash == "":
			missing[r.Site] = fmt.Errorf("%w: no hash", ErrNoPullHash)
		default:
			hashes[r.Site] = res[i].Hash
		}
	}
	return hashes, missing
}

// heldBack are the targets left exactly as they were because a pull site
// has no hash for its new digest, with the reason: that site, and every
// target of its reference. The lock and the changelog hold one digest per
// reference, and an edit goes at a binding shared by several sites only
// when all of them are targets of one reference (see edit's atBinding),
// so holding back the reference leaves no site half-edited.
func heldBack(targets []target, missing map[*scan.Site]error) map[*scan.Site]string {
	if len(missing) == 0 {
		return nil
	}
	// The first site without a hash stands for its reference.
	cause := map[imageref.Key]*scan.Site{}
	for _, t := range targets {
		if _, ok := cause[t.key]; !ok && missing[t.site] != nil {
			cause[t.key] = t.site
		}
	}
	held := map[*scan.Site]string{}
	for _, t := range targets {
		c, ok := cause[t.key]
		switch {
		case !ok:
		case missing[t.site] != nil:
			held[t.site] = missing[t.site].Error()
		default:
			held[t.site] = fmt.Sprintf("left as it was with %s, a pulled image of the same reference that has no hash for its new digest", c.Position())
		}
	}
	return held
}

// pullRetagEdits pin a pull site that writes no finalImageTag (pullImage
// names the image latest then) under tag: its digest replaced, and a
// finalImageTag binding inserted after imageDigest's, indented like it.
func pullRetagEdits(fs *fileState, s *scan.Site, tag, digest string, atBinding func(*scan.Site, *scan.Text) bool) ([]Edit, string) {
	pe := s.Edit.Pull
	switch {
	case pe == nil || s.Edit.Digest == nil || pe.TagAt < 0:
		return nil, "its imageDigest is not bound in its set, so pinner cannot add a finalImageTag beside it"
	case pe.Nix2container:
		return nil, "nix2container's pullImage takes no finalImageTag, so pinner cannot move its tag"
	}
	edits, note := textEdit(fs, s, s.Edit.Digest, digest, true, atBinding)
	if note != "" {
		return nil, note
	}
	bind := pullTagKey + " = " + rewrite.Quoted(tag) + ";"
	if pe.TagIndent != "" {
		bind = "\n" + pe.TagIndent + bind
	} else {
		bind = " " + bind
	}
	return append(edits, Edit{Start: pe.TagAt, End: pe.TagAt, New: bind}), ""
}

// pullTagKey is the argument pullImage names the image's tag with.
const pullTagKey = "finalImageTag"

// pullHashEdit replaces the hash of a pull site.
func pullHashEdit(s *scan.Site, hash string) ([]Edit, string) {
	if s.Edit.Pull == nil || s.Edit.Pull.Hash == nil {
		return nil, "its hash is not a string of this file"
	}
	h := s.Edit.Pull.Hash
	return []Edit{{Start: h.Span.Start, End: h.Span.End, New: hash}}, ""
}
