package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/image"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/scan"
)

// catalogue is the configuration's images by normalised repository, and
// which image each site of an owned repository belongs to.
type catalogue struct {
	byRepo map[string][]*config.Image
}

func newCatalogue(cfg *config.Config) *catalogue {
	c := &catalogue{byRepo: map[string][]*config.Image{}}
	for i := range cfg.Images {
		img := &cfg.Images[i]
		if r, err := imageref.ParseRepository(img.Repository); err == nil {
			c.byRepo[r.Context()] = append(c.byRepo[r.Context()], img)
		}
	}
	return c
}

func (c *catalogue) owns(repo string) bool { return len(c.byRepo[repo]) > 0 }

// imageOf is the configuration image a site belongs to. Several images may
// share a repository (an old version kept for a disabled module): a site
// belongs to the one whose fixed tag it carries, else to the only one
// without a fixed tag (tag unset or containing {git}), else to the only
// active one among those. nil when the site is not owned or ambiguous.
func (c *catalogue) imageOf(s *scan.Site) *config.Image {
	if s.Image.Repository == "" {
		return nil
	}
	imgs := c.byRepo[s.Image.Context()]
	if len(imgs) <= 1 {
		if len(imgs) == 1 {
			return imgs[0]
		}
		return nil
	}
	var floating []*config.Image
	for _, img := range imgs {
		fixed := img.Tag != "" && !strings.Contains(img.Tag, "{git}")
		if fixed && s.Image.Tag != "" && img.Tag == s.Image.Tag {
			return img
		}
		if !fixed {
			floating = append(floating, img)
		}
	}
	if len(floating) == 1 {
		return floating[0]
	}
	var active []*config.Image
	for _, img := range floating {
		if img.Status == config.StatusActive {
			active = append(active, img)
		}
	}
	if len(active) == 1 {
		return active[0]
	}
	return nil
}

// ownedFlags are the settings of the commands that build owned images.
type ownedRun struct {
	cfg *config.Config
	env *Env
	// dest is "" (each image's registry) or "oci:DIR" with DIR an OS path.
	dest string
	// push: publish to dest; otherwise only compute digests.
	push bool
	reg  *registryFlags
	lock *lock.Lock
}

// pushDest is where owned images go: --push-to when given ("registry" is
// each image's own repository; a relative oci:DIR is relative to the
// working directory), else push_to from registry.yaml (relative to its
// directory).
func pushDest(cfg *config.Config, flag string) (string, error) {
	switch {
	case flag == "registry":
		return "", nil
	case strings.HasPrefix(flag, "oci:"):
		dir := strings.TrimPrefix(flag, "oci:")
		if dir == "" {
			return "", withCode(ExitBadInput, errors.New("--push-to oci: needs a directory (oci:DIR)"))
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", withCode(ExitBadInput, err)
		}
		return "oci:" + abs, nil
	case flag != "":
		return "", withCode(ExitBadInput, fmt.Errorf("--push-to %q: want oci:DIR, or \"registry\" for each image's repository", flag))
	}
	if dir, ok := cfg.OCILayoutDir(); ok {
		return "oci:" + dir, nil
	}
	return "", nil
}

// build runs the owned pipeline for images.
func (r *ownedRun) build(ctx context.Context, images []owned.Image) ([]owned.Result, error) {
	o := owned.Options{
		Builder:  &nixbuild.Builder{Dir: r.cfg.Dir},
		Lock:     r.lock,
		Log:      r.env.Log,
		Progress: r.env.ownedHook(),
	}
	if r.push {
		maxBackoff := max(oci.DefaultMaxBackoff, r.reg.RetryBackoff)
		pub, err := oci.NewPublisher(r.dest,
			oci.WithMirrors(r.cfg.Mirrors),
			oci.WithInsecure(r.cfg.Insecure),
			oci.WithRequestTimeout(r.reg.RequestTimeout),
			oci.WithRetry(r.reg.RetryAttempts, r.reg.RetryBackoff, maxBackoff),
			oci.WithLogger(r.env.Log),
		)
		if err != nil {
			return nil, withCode(ExitBadInput, err)
		}
		o.Publisher = pub
	}
	res, err := owned.Build(ctx, r.cfg, images, o)
	if err != nil {
		return nil, buildError(err)
	}
	return res, nil
}

// buildError maps the owned pipeline's failures to exit codes: the input's
// fault (a missing file or attribute, a bad tag) is 2, everything else
// (Nix failed or is missing, an output that is no image, a registry) 3.
func buildError(err error) error {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, nixbuild.ErrBadInput), errors.Is(err, owned.ErrBadInput):
		return withCode(ExitBadInput, err)
	case errors.Is(err, image.ErrNotImage):
		return withCode(ExitOutside, fmt.Errorf("%w (a Nix output must be a docker-archive, a script that streams one, or an OCI layout)", err))
	}
	return withCode(ExitOutside, err)
}

// logBuilt reports each image's outcome at info level.
func logBuilt(ctx context.Context, log *slog.Logger, res []owned.Result) {
	for _, r := range res {
		log.LogAttrs(ctx, slog.LevelInfo, "owned image",
			slog.String("image", r.Name), slog.String("ref", r.Key), slog.String("digest", r.Digest),
			slog.Bool("published", r.Published), slog.Bool("unchanged", r.Unchanged))
	}
}
