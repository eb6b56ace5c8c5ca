// Package fixedbuild is an owned.Builder for tests of what comes after a
// Nix build: it builds nothing and hands out results made beforehand (real
// docker-archives or OCI layouts the test wrote), so the owned-image path
// runs without Nix.
package fixedbuild

import (
	"context"
	"fmt"

	"github.com/pinner-dev/pinner/internal/nixbuild"
)

// Builder maps an installable's String() to its result.
type Builder map[string]nixbuild.Result

// Build returns the fixed result of every installable, in order; an
// installable without one is an error, as a missing attribute is to Nix.
func (f Builder) Build(ctx context.Context, ins []nixbuild.Installable) ([]nixbuild.Result, error) {
	out := make([]nixbuild.Result, len(ins))
	for i, in := range ins {
		r, ok := f[in.String()]
		if !ok {
			return nil, fmt.Errorf("building %s: %w: no fixed result", in, nixbuild.ErrBadInput)
		}
		r.Installable = in
		out[i] = r
	}
	return out, ctx.Err()
}
