package oci

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Bounds of one tag listing. A real repository with thousands of tags
// fits in a few pages of 1,000 (the page size pkg/v1/remote asks for) and
// well under a MiB; a registry whose Link header never ends, whose pages
// grow, or that sends one enormous list gets an error instead of memory.
const (
	MaxTagPages = 100
	MaxTags     = 100_000
	MaxTagBytes = 16 << 20 // all pages together
)

// Tags lists the tags of a repository ("ghcr.io/x/y", "busybox"), through
// the Resolver's mirrors, insecure hosts, retries and credentials. A
// registry that pages its answer is followed to the last page, within
// MaxTagPages pages, MaxTags tags and MaxTagBytes bytes; a Link header
// that leads back to a page already read is an error too (all wrap
// ErrTagList). The tags come back in the registry's order, each once.
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
	tags, err := listTags(withBudget(ctx, MaxTagBytes), p, target.Context())
	if err != nil {
		return nil, &RequestError{Registry: reg, Host: target.Context().RegistryStr(), Op: "listing tags of", Item: repo.RepositoryStr(), Err: unwrapURL(err)}
	}
	r.o.logger.LogAttrs(ctx, slog.LevelDebug, "listed tags", slog.String("repository", repo.Name()),
		slog.String("fetch", target.Context().Name()), slog.Int("tags", len(tags)))
	return tags, nil
}

// listTags follows the pages of repo's tag list within the bounds.
func listTags(ctx context.Context, p *remote.Puller, repo name.Repository) ([]string, error) {
	l, err := p.Lister(ctx, repo)
	if err != nil {
		return nil, err
	}
	var tags []string
	have := map[string]bool{}
	read := map[string]bool{}
	for pages := 1; l.HasNext(); pages++ {
		page, err := l.Next(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			if !have[t] {
				have[t] = true
				tags = append(tags, t)
			}
		}
		if len(tags) > MaxTags {
			return nil, fmt.Errorf("%w: more than %d tags", ErrTagList, MaxTags)
		}
		if page.Next == "" {
			break
		}
		// Pages are read one after the other: the next one's URL is known
		// before it is asked for.
		next := page.Next
		switch u, err := url.Parse(next); {
		case err != nil:
		case read[u.RequestURI()]:
			return nil, fmt.Errorf("%w: the registry's Link header leads back to a page already read (%s)", ErrTagList, u.Path)
		default:
			read[u.RequestURI()] = true
		}
		if pages >= MaxTagPages {
			return nil, fmt.Errorf("%w: more than %d pages (the registry's Link header keeps going)", ErrTagList, MaxTagPages)
		}
	}
	return tags, nil
}
