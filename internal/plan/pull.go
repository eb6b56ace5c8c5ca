package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
// nothing was written.
var ErrNoPullHash = errors.New("the hash of a pulled image could not be computed")

// pullHashes computes the hash of every pull target whose digest or tag
// changes, in one call; a digest is never written without its hash, so
// any failure stops the plan.
func (p *Plan) pullHashes(ctx context.Context, targets []target, o Options) (map[*scan.Site]string, error) {
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
	if o.PullHash == nil {
		return nil, fmt.Errorf("%w: no way to compute it in this run", ErrNoPullHash)
	}
	res, err := o.PullHash(ctx, reqs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoPullHash, err)
	}
	if len(res) != len(reqs) {
		return nil, fmt.Errorf("%w: %d hashes for %d images", ErrNoPullHash, len(res), len(reqs))
	}
	out := map[*scan.Site]string{}
	var why []string
	for i, r := range res {
		s := reqs[i].Site
		if r.Err != nil || r.Hash == "" {
			msg := "no hash"
			if r.Err != nil {
				msg = r.Err.Error()
			}
			why = append(why, fmt.Sprintf("%s: %s:%s@%s: %s", s.Position(), s.Image.Repository, reqs[i].Tag, reqs[i].Digest, msg))
			continue
		}
		out[s] = r.Hash
	}
	if len(why) > 0 {
		return nil, fmt.Errorf("%w; nothing was written:\n%s", ErrNoPullHash, strings.Join(why, "\n"))
	}
	return out, nil
}

// pullHashEdit replaces the hash of a pull site.
func pullHashEdit(s *scan.Site, hash string) ([]Edit, string) {
	if s.Edit.Pull == nil || s.Edit.Pull.Hash == nil {
		return nil, "its hash is not a string of this file"
	}
	h := s.Edit.Pull.Hash
	return []Edit{{Start: h.Span.Start, End: h.Span.End, New: hash}}, ""
}
