package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/image"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/owned"
)

// ownedBuild is one run of the owned pipeline.
type ownedBuild struct {
	cfg *config.Config
	o   Options
	// dest is "" (each image's registry) or "oci:DIR" with DIR an OS path.
	dest string
	// push: publish to dest; otherwise only compute digests.
	push bool
	lock *lock.Lock
}

// build builds images, and pushes them when the run pushes.
func (b *ownedBuild) build(ctx context.Context, images []owned.Image) ([]owned.Result, error) {
	o := owned.Options{
		Builder:  b.o.Builder,
		Lock:     b.lock,
		Log:      b.o.Log,
		Progress: ownedHook(b.o.Progress),
	}
	if o.Builder == nil {
		o.Builder = &nixbuild.Builder{Dir: b.cfg.Dir, Args: b.cfg.NixArgs}
	}
	if b.push {
		pub, err := b.publisher()
		if err != nil {
			return nil, err
		}
		o.Publisher = pub
		o.ByDigest = b.o.Push
	}
	res, err := owned.Build(ctx, b.cfg, images, o)
	if err != nil {
		return nil, buildError(err)
	}
	return res, nil
}

// publisher writes to the destination; a layer another image of the
// repository already has in its registry is mounted from there.
func (b *ownedBuild) publisher() (oci.Publisher, error) {
	var repos []string
	for _, img := range b.cfg.Images {
		if !slices.Contains(repos, img.Repository) {
			repos = append(repos, img.Repository)
		}
	}
	opts := append(b.o.Registry.options(b.cfg, b.o.Log), oci.WithMountFrom(repos...))
	pub, err := oci.NewPublisher(b.dest, opts...)
	if err != nil {
		return nil, diag.AsBadInput(err)
	}
	return pub, nil
}

// assemble makes the images named in the builds files from the platform
// images pushed by digest (on other machines, say), and pushes their
// indexes and tags unless the run does not push.
func (b *ownedBuild) assemble(ctx context.Context, images []owned.Image, files []string) ([]owned.Result, error) {
	builds, err := owned.ReadBuilds(b.cfg, files)
	if err != nil {
		return nil, diag.AsBadInput(err)
	}
	pub, err := b.publisher()
	if err != nil {
		return nil, err
	}
	o := owned.Options{Publisher: pub, Lock: b.lock, Log: b.o.Log, Progress: ownedHook(b.o.Progress)}
	res, err := owned.Assemble(ctx, b.cfg, images, builds, b.push, o)
	if err != nil {
		return nil, buildError(err)
	}
	return res, nil
}

// Build builds the named images through Nix (only the given platforms,
// when any) and returns what a push would produce: `pinner build`. With
// o.Push it pushes each platform's image by its digest (no tag, no index)
// to where update would push. A name the configuration does not have is bad input.
func Build(ctx context.Context, cfg *config.Config, names, platforms []string, o Options) ([]owned.Result, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var images []owned.Image
	for _, n := range names {
		img, ok := cfg.Image(n)
		if !ok {
			all := make([]string, len(cfg.Images))
			for i, im := range cfg.Images {
				all[i] = im.Name
			}
			msg := fmt.Sprintf("no image %q in the configuration", n)
			if len(all) > 0 {
				msg += " (images: " + strings.Join(all, ", ") + ")"
			}
			return nil, diag.AsBadInput(errors.New(msg))
		}
		oi := owned.Image{Config: img}
		if len(platforms) > 0 {
			oi.Platforms = platforms
		}
		images = append(images, oi)
	}
	b := ownedBuild{cfg: cfg, o: o, push: o.Push}
	if o.Push {
		dest, err := pushDest(cfg, o.PushTo)
		if err != nil {
			return nil, err
		}
		b.dest = dest
	}
	return b.build(ctx, images)
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
			return "", diag.AsBadInput(errors.New("--push-to oci: needs a directory (oci:DIR)"))
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", diag.AsBadInput(err)
		}
		return "oci:" + abs, nil
	case flag != "":
		return "", diag.AsBadInput(fmt.Errorf("--push-to %q: want oci:DIR, or \"registry\" for each image's repository", flag))
	}
	if dir, ok := cfg.OCILayoutDir(); ok {
		return "oci:" + dir, nil
	}
	return "", nil
}

// buildError gives the owned pipeline's failures their kind: the input's
// fault (a missing file or attribute, a bad tag) is bad input, everything
// else (Nix failed or is missing, an output that is no image, a registry)
// an outside failure.
func buildError(err error) error {
	switch {
	case errors.Is(err, nixbuild.ErrBadInput), errors.Is(err, owned.ErrBadInput):
		return diag.AsBadInput(err)
	case errors.Is(err, image.ErrNotImage):
		return diag.AsOutside(fmt.Errorf("%w (a Nix output must be a docker-archive, a script that streams one, an OCI layout or a nix2container image.json)", err))
	}
	return diag.AsOutside(err)
}

// logBuilt reports each image's outcome at info level.
func logBuilt(ctx context.Context, log *slog.Logger, res []owned.Result) {
	for _, r := range res {
		log.LogAttrs(ctx, slog.LevelInfo, "owned image",
			slog.String("image", r.Name), slog.String("ref", string(r.Key)), slog.String("digest", r.Digest),
			slog.Bool("published", r.Published), slog.Bool("unchanged", r.Unchanged))
	}
}

// Pushed is one image a run pushed: `pinner update --json`.
type Pushed struct {
	Name       string           `json:"name"`
	Repository string           `json:"repository"`
	Tags       []string         `json:"tags"`
	Digest     string           `json:"digest"`
	Platforms  []PushedPlatform `json:"platforms"`
}

// PushedPlatform is one platform's image of a Pushed image (for one
// platform, its digest is the image's).
type PushedPlatform struct {
	Platform string `json:"platform"`
	Digest   string `json:"digest"`
}

// Pushed lists the owned images the run wrote to their destination (not
// those the destination already had): what a workflow signs or attests.
func (r *Result) Pushed() []Pushed {
	out := []Pushed{}
	for _, o := range r.Owned {
		if !o.Published || o.Unchanged {
			continue
		}
		p := Pushed{Name: o.Name, Repository: o.Repository, Tags: o.Tags, Digest: o.Digest}
		for _, pl := range o.Platforms {
			p.Platforms = append(p.Platforms, PushedPlatform{Platform: pl.Platform, Digest: pl.Digest})
		}
		out = append(out, p)
	}
	return out
}

// ByDigest lists each platform's image of results, as `pinner build
// --push --json` prints them and --from-builds reads them.
func ByDigest(results []owned.Result) []owned.Built {
	out := []owned.Built{}
	for _, r := range results {
		for _, p := range r.Platforms {
			out = append(out, owned.Built{Name: r.Name, Repository: r.Repository, Platform: p.Platform, Digest: p.Digest})
		}
	}
	return out
}
