package oci

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Confirm checks, before new digests are written into files, that each
// reference's repository really serves its digest (pins maps a reference,
// as given to Resolve, to the digest it resolved to). A HEAD answer's
// digest is a header, not a hash of anything; a file pinned to a digest
// the registry does not have breaks every later pull. So for each
// reference Confirm fetches the manifest by digest, checks that its bytes
// hash to it and that it is a manifest or index, and for an index that
// every manifest it lists is there too (a HEAD each). A manifest that
// Resolve already fetched with a GET is not fetched again.
//
// Only the references whose digest changes need this: the caller passes
// those, which keeps an update that changes nothing at one request per
// reference. At most WithJobs references are confirmed at once; the error
// joins the failures, each wrapping ErrNotConfirmed.
func (r *Resolver) Confirm(ctx context.Context, pins map[string]string) error {
	refs := slices.Sorted(maps.Keys(pins))
	errs := make([]error, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.jobs)
	for i, ref := range refs {
		g.Go(func() error {
			if err := r.confirm(gctx, ref, pins[ref]); err != nil {
				errs[i] = fmt.Errorf("confirming %q at %s: %w", ref, pins[ref], err)
			}
			return nil
		})
	}
	_ = g.Wait()
	return errors.Join(errs...)
}

func (r *Resolver) confirm(ctx context.Context, ref, digest string) error {
	tag, err := name.ParseReference(ref)
	if err != nil {
		return fmt.Errorf("parsing reference %q: %w", ref, err)
	}
	d, err := name.NewDigest(tag.Context().Name() + "@" + digest)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotConfirmed, err)
	}
	reg := displayRegistry(d.Context().RegistryStr())
	target, err := MirrorRef(d, r.o.mirrors, r.o.insecure)
	if err != nil {
		return fmt.Errorf("registry %s: %w", reg, err)
	}
	if host := target.Context().RegistryStr(); host != d.Context().RegistryStr() {
		reg = fmt.Sprintf("%s (mirror %s)", reg, host)
	}
	p, err := r.puller(target.Context().RegistryStr())
	if err != nil {
		return fmt.Errorf("registry %s: %w", reg, err)
	}
	r.mu.Lock()
	info, ok := r.verified[target.Context().Name()+"@"+digest]
	r.mu.Unlock()
	if !ok {
		// By digest: pkg/v1/remote hashes the bytes and refuses any
		// that are not the digest asked for.
		got, i, err := r.get(ctx, p, reg, target)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNotConfirmed, err)
		}
		if got != digest {
			return fmt.Errorf("%w: registry %s served %s", ErrNotConfirmed, reg, got)
		}
		info = i
	}
	if len(info.children) > maxIndexChildren {
		return fmt.Errorf("%w: registry %s: the index lists %d manifests, more than %d", ErrNotConfirmed, reg, len(info.children), maxIndexChildren)
	}
	for _, c := range info.children {
		child := target.Context().Digest(c.Digest.String())
		if err := r.exists(ctx, p, reg, child); err != nil {
			what := c.Digest.String()
			if c.Platform != nil {
				what += " (" + c.Platform.String() + ")"
			}
			return fmt.Errorf("%w: the index lists %s, which is not there: %w", ErrNotConfirmed, what, err)
		}
	}
	r.o.logger.LogAttrs(ctx, slog.LevelDebug, "confirmed", slog.String("ref", ref), slog.String("digest", digest),
		slog.Int("children", len(info.children)))
	return nil
}

// exists checks that the registry serves the manifest d: a HEAD (which
// pkg/v1/remote checks names d), or a GET when the registry mishandles
// HEAD (pkg/v1/remote then hashes the bytes).
func (r *Resolver) exists(ctx context.Context, p *remote.Puller, reg string, d name.Digest) error {
	_, err := p.Head(ctx, d)
	if err == nil || !fallBackToGet(ctx, err) {
		if err != nil {
			return registryError(reg, d, err)
		}
		return nil
	}
	if _, err := p.Get(ctx, d); err != nil {
		return registryError(reg, d, err)
	}
	return nil
}
