package update

import (
	"context"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/plan"
)

// pullHashes computes the new hashes of pulled images through Nix, all in
// one run, calling the configuration's pull_function (nixpkgs'
// dockerTools.pullImage when it names none) with each site's new
// arguments.
func pullHashes(cfg *config.Config) plan.PullHashes {
	return func(ctx context.Context, reqs []plan.PullRequest) ([]plan.PullResult, error) {
		calls := make([]nixbuild.PullCall, len(reqs))
		for i, r := range reqs {
			pe := r.Site.Edit.Pull
			calls[i] = nixbuild.PullCall{
				Func: cfg.PullFunctionPath(),
				Args: map[string]any{
					"imageName":     r.Site.Image.Repository,
					"imageDigest":   r.Digest,
					"finalImageTag": r.Tag,
				},
				HashKey:  pe.HashKey,
				Spelling: pe.Hash.Value,
			}
		}
		got, err := nixbuild.PullHashes(ctx, "", calls)
		if err != nil {
			return nil, err
		}
		out := make([]plan.PullResult, len(got))
		for i, g := range got {
			out[i] = plan.PullResult{Hash: g.Hash, Err: g.Err}
		}
		return out, nil
	}
}
