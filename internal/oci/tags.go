package oci

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-containerregistry/pkg/name"
)

// Tags lists the tags of a repository ("ghcr.io/x/y", "busybox"), through
// the Resolver's mirrors, insecure hosts, retries and credentials. A
// registry that pages its answer is followed to the last page. The tags
// come back in the registry's order.
func (r *Resolver) Tags(ctx context.Context, repository string) ([]string, error) {
	repo, err := name.NewRepository(repository)
	if err != nil {
		return nil, fmt.Errorf("parsing repository %q: %w", repository, err)
	}
	reg := displayRegistry(repo.RegistryStr())
	// MirrorRef maps references; any tag will do to map the repository.
	target, err := MirrorRef(repo.Tag("latest"), r.o.mirrors, r.o.insecure)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", reg, err)
	}
	if host := target.Context().RegistryStr(); host != repo.RegistryStr() {
		reg = fmt.Sprintf("%s (mirror %s)", reg, host)
	}
	p, err := r.puller(target.Context().RegistryStr())
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", reg, err)
	}
	tags, err := p.List(ctx, target.Context())
	if err != nil {
		return nil, fmt.Errorf("registry %s: listing tags of %s: %w", reg, repo.RepositoryStr(), unwrapURL(err))
	}
	r.o.logger.LogAttrs(ctx, slog.LevelDebug, "listed tags", slog.String("repository", repo.Name()),
		slog.String("fetch", target.Context().Name()), slog.Int("tags", len(tags)))
	return tags, nil
}
