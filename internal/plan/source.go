package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/pinner-dev/pinner/internal/oci"
)

// Source tells which digest each image reference names now. It is the one
// thing the plan needs from the outside world, so that third-party images
// (asked of their registries) and the repository's own images (built and
// pushed, their digest known from the push) plug in the same way.
type Source interface {
	// Digests returns the digest ("sha256:<hex>") of each normalised tag
	// reference ("docker.io/library/busybox:1.37"). The map holds the
	// references that succeeded; err joins the failures, so it is nil
	// exactly when every reference has a digest.
	Digests(ctx context.Context, refs []string) (map[string]string, error)
}

// Confirmer is a Source that can make sure, before a digest is written
// into a file, that it is really there: Make asks it about the references
// whose digest changes (pins: reference → new digest), and a failure
// stops the plan. Sources whose digests need no confirmation (the
// repository's own images, confirmed by their push) do not implement it.
type Confirmer interface {
	Confirm(ctx context.Context, pins map[string]string) error
}

// Registry is the Source of third-party images: their registries, through
// an oci.Resolver (mirrors, retries, one request per distinct reference).
type Registry struct{ Resolver *oci.Resolver }

// Digests resolves refs concurrently.
func (r Registry) Digests(ctx context.Context, refs []string) (map[string]string, error) {
	res, err := r.Resolver.Resolve(ctx, refs)
	out := make(map[string]string, len(res))
	for _, x := range res {
		if x.Err == nil {
			out[x.Ref] = x.Digest
		}
	}
	return out, err
}

// Confirm checks the new digests at their registries (oci.Resolver.Confirm).
func (r Registry) Confirm(ctx context.Context, pins map[string]string) error {
	return r.Resolver.Confirm(ctx, pins)
}

// Fixed is a Source with known answers: the digests an owned image's push
// produced, or a test's fixture. A reference it does not know is an error.
type Fixed map[string]string

// Digests looks refs up.
func (f Fixed) Digests(_ context.Context, refs []string) (map[string]string, error) {
	out := make(map[string]string, len(refs))
	var errs []error
	for _, r := range refs {
		d, ok := f[r]
		if !ok {
			errs = append(errs, fmt.Errorf("resolving %q: %w", r, oci.ErrNotFound))
			continue
		}
		out[r] = d
	}
	return out, errors.Join(errs...)
}

// ResolveError is returned by Make when a Source failed for some
// references; no edit is planned then.
type ResolveError struct{ Err error }

func (e *ResolveError) Error() string { return e.Err.Error() }
func (e *ResolveError) Unwrap() error { return e.Err }
