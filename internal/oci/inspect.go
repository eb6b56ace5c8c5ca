package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Limits of Inspect: what one reference may make it fetch.
const (
	// MaxPlatforms is the most platform manifests an index may list
	// (busybox has 10; an index with hundreds is a mistake or an attack).
	MaxPlatforms = 64
	// MaxConfigSize is the largest image config Inspect reads. Configs are
	// a few KiB; the history of a huge image stays well below this.
	MaxConfigSize = 8 << 20
	// maxIndexDepth bounds indexes nested in indexes.
	maxIndexDepth = 2
	// inspectJobs is how many platforms of one reference are fetched at once.
	inspectJobs = 4
)

// Inspection is what a reference names now.
type Inspection struct {
	// Ref is the reference as given.
	Ref string
	// Digest and MediaType are those of the manifest the reference names:
	// for a multi-platform image, the index.
	Digest    string
	MediaType string
	// Index: the reference names an index (or Docker manifest list).
	Index bool
	// Images holds one entry per platform image, in the index's order
	// (attestation manifests left out); one entry for a plain image.
	Images []ImageInfo
}

// ImageInfo describes one platform image.
type ImageInfo struct {
	// Platform is os/arch[/variant]: from the index entry, or for a plain
	// image from its config.
	Platform string
	Digest   string
	// Size is what pulling the image downloads: its config and its
	// compressed layers (the manifest's own few bytes left out).
	Size   int64
	Layers int
	// Created is the config's creation time; zero when it has none.
	Created time.Time
	Labels  map[string]string
}

// Inspect fetches the manifest ref names and, for each platform image, its
// manifest and config, through the Resolver's mirrors, insecure hosts,
// retries and credentials. Errors start with the registry, as Resolve's do.
func (r *Resolver) Inspect(ctx context.Context, ref string) (*Inspection, error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("parsing reference %q: %w", ref, err)
	}
	reg := displayRegistry(parsed.Context().RegistryStr())
	target, err := MirrorRef(parsed, r.o.mirrors, r.o.insecure)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", reg, err)
	}
	if host := target.Context().RegistryStr(); host != parsed.Context().RegistryStr() {
		reg = fmt.Sprintf("%s (mirror %s)", reg, host)
	}
	p, err := r.puller(target.Context().RegistryStr())
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", reg, err)
	}
	in := &inspector{p: p, repo: target.Context(), reg: reg}
	desc, err := in.get(ctx, target)
	if err != nil {
		return nil, err
	}
	out := &Inspection{Ref: ref, Digest: desc.Digest.String(), MediaType: string(desc.MediaType)}
	if desc.MediaType.IsIndex() {
		out.Index = true
		out.Images, err = in.index(ctx, desc, 1)
	} else {
		var img ImageInfo
		img, err = in.image(ctx, desc, "")
		out.Images = []ImageInfo{img}
	}
	if err != nil {
		return nil, err
	}
	r.o.logger.LogAttrs(ctx, slog.LevelDebug, "inspected", slog.String("ref", parsed.Name()),
		slog.String("fetch", target.Name()), slog.String("digest", out.Digest), slog.Int("images", len(out.Images)))
	return out, nil
}

// inspector fetches the parts of one reference from one repository.
type inspector struct {
	p    *remote.Puller
	repo name.Repository
	reg  string
}

func (in *inspector) get(ctx context.Context, ref name.Reference) (*remote.Descriptor, error) {
	desc, err := in.p.Get(ctx, ref)
	if err != nil {
		return nil, registryError(in.reg, ref, err)
	}
	return desc, nil
}

// index describes every platform image of an index, nested indexes
// included down to maxIndexDepth.
func (in *inspector) index(ctx context.Context, desc *remote.Descriptor, depth int) ([]ImageInfo, error) {
	idx, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("registry %s: reading index %s: %w", in.reg, desc.Digest, err)
	}
	var children []v1.Descriptor
	for _, m := range idx.Manifests {
		// buildx stores provenance and SBOMs as extra "unknown/unknown"
		// manifests; they are not images anyone runs.
		if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
			(m.Platform != nil && m.Platform.OS == "unknown" && m.Platform.Architecture == "unknown") {
			continue
		}
		children = append(children, m)
	}
	if len(children) > MaxPlatforms {
		return nil, fmt.Errorf("registry %s: index %s lists %d manifests, more than %d", in.reg, desc.Digest, len(children), MaxPlatforms)
	}
	results := make([][]ImageInfo, len(children))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(inspectJobs)
	for i, m := range children {
		g.Go(func() error {
			child, err := in.get(gctx, in.repo.Digest(m.Digest.String()))
			if err != nil {
				return err
			}
			if child.Digest != m.Digest {
				return fmt.Errorf("registry %s: %w: index %s lists %s, the registry served %s", in.reg, ErrDigestMismatch, desc.Digest, m.Digest, child.Digest)
			}
			if child.MediaType.IsIndex() {
				if depth >= maxIndexDepth {
					return fmt.Errorf("registry %s: index %s nests indexes deeper than %d", in.reg, desc.Digest, maxIndexDepth)
				}
				results[i], err = in.index(gctx, child, depth+1)
				return err
			}
			platform := ""
			if m.Platform != nil {
				platform = m.Platform.String()
			}
			img, err := in.image(gctx, child, platform)
			results[i] = []ImageInfo{img}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []ImageInfo
	for _, r := range results {
		out = append(out, r...)
	}
	if len(out) > MaxPlatforms {
		return nil, fmt.Errorf("registry %s: index %s holds %d images, more than %d", in.reg, desc.Digest, len(out), MaxPlatforms)
	}
	return out, nil
}

// image describes one image manifest; platform is what the index said of
// it ("" for an image named directly: its config says).
func (in *inspector) image(ctx context.Context, desc *remote.Descriptor, platform string) (ImageInfo, error) {
	info := ImageInfo{Platform: platform, Digest: desc.Digest.String()}
	fail := func(what string, err error) (ImageInfo, error) {
		return ImageInfo{}, fmt.Errorf("registry %s: %s of %s: %w", in.reg, what, desc.Digest, unwrapURL(err))
	}
	switch desc.MediaType {
	case types.DockerManifestSchema1, types.DockerManifestSchema1Signed:
		return fail("reading manifest", errors.New("Docker schema 1 manifests are not supported"))
	}
	m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return fail("reading manifest", err)
	}
	info.Layers = len(m.Layers)
	info.Size = m.Config.Size
	for _, l := range m.Layers {
		info.Size += l.Size
	}
	if m.Config.Size > MaxConfigSize {
		return fail("reading config", fmt.Errorf("config is %d bytes, the limit is %d", m.Config.Size, MaxConfigSize))
	}
	img, err := desc.Image()
	if err != nil {
		return fail("reading image", err)
	}
	// The blob is read against the manifest's size and digest, so the
	// check above bounds it.
	cfg, err := img.ConfigFile()
	if err != nil {
		return fail("reading config", err)
	}
	if info.Platform == "" {
		info.Platform = (&v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}).String()
	}
	if !cfg.Created.IsZero() {
		info.Created = cfg.Created.UTC()
	}
	if len(cfg.Config.Labels) > 0 {
		info.Labels = cfg.Config.Labels
	}
	return info, nil
}
