package update

import (
	"context"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/plan"
)

// pullHashes computes the new hashes of pulled images through Nix, all in
// one run. Each site's call goes to its own kind of pullImage: the
// configuration's nix2container_pull_function for nix2container's (whose
// sites are editable only when it names one), its pull_function (nixpkgs'
// dockerTools.pullImage when it names none) for the others; with the
// site's new name, digest and tag and the other arguments it writes.
func pullHashes(cfg *config.Config) plan.PullHashes {
	return func(ctx context.Context, reqs []plan.PullRequest) ([]plan.PullResult, error) {
		calls := make([]nixbuild.PullCall, len(reqs))
		for i, r := range reqs {
			pe := r.Site.Edit.Pull
			args := map[string]any{}
			for k, v := range pe.Args {
				args[k] = v
			}
			args["imageName"] = r.Site.Image.Repository
			args["imageDigest"] = r.Digest
			fn := cfg.PullFunctionPath()
			if pe.Nix2container {
				fn = cfg.Nix2containerPullFunctionPath()
			}
			// nix2container's pullImage takes no finalImageTag: the tag
			// goes only where the set writes one.
			if !pe.Nix2container || pe.TagWritten {
				args["finalImageTag"] = r.Tag
			}
			calls[i] = nixbuild.PullCall{Func: fn, Args: args, HashKey: pe.HashKey, Spelling: pe.Hash.Value}
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
