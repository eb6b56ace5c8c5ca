package oci

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Publisher writes built images somewhere and reports the digest written.
// Implementations: RegistryPublisher (a registry, through mirrors) and
// LayoutPublisher (an OCI image layout on disk); NewPublisher picks one
// for a destination.
type Publisher interface {
	// Publish writes the artifact under every tag and confirms that the
	// destination then serves it under each: a publisher reads back what
	// it wrote, so its caller need not ask again.
	Publish(ctx context.Context, req Request) (Published, error)
	// Serves reports whether the destination serves digest under every one
	// of tags in repository, as it stands; false, and no error, when a tag
	// is not there.
	Serves(ctx context.Context, repository string, tags []string, digest string) (bool, error)
	// Image is the image the destination holds in repository under
	// digest (a manifest pushed by digest, say on another machine); the
	// error wraps ErrNotFound when it holds none.
	Image(ctx context.Context, repository, digest string) (v1.Image, error)
}

// Request is one image to publish under one repository and its tags.
type Request struct {
	// Repository as in registry.yaml, e.g. "ghcr.io/x/backup-toolbox".
	// Mirrors apply to it; the result names it as given.
	Repository string
	// Tags to point at the artifact: the image's tag, then its extra tags.
	// None pushes the artifact by digest only: no tag is set or moved.
	Tags     []string
	Artifact Artifact
	// Progress, if set, receives byte counts while RegistryPublisher
	// uploads blobs. It is called from one goroutine at a time and must not
	// block long. The other publishers do not call it.
	Progress func(Progress)
	// LayerProgress, if set, receives each layer's progress while either
	// RegistryPublisher or LayoutPublisher writes it (see LayerProgress).
	// It is called from one goroutine at a time, and must not block long
	// nor call the publisher.
	LayerProgress func(LayerProgress)
}

// Progress is how much of a publication's blobs has been written.
type Progress struct {
	Complete, Total int64 // bytes
}

// Published is what a Publisher wrote.
type Published struct {
	Repository string
	Tags       []string
	// Digest is the manifest (for several platforms, the index) digest:
	// the one pinner writes into the .nix files.
	Digest    v1.Hash
	MediaType types.MediaType
}

// Ref is "repository@sha256:...".
func (p Published) Ref() string { return p.Repository + "@" + p.Digest.String() }

// Artifact is what gets published for one image: a single image, or an
// index with one image per platform. Exactly one field is set.
type Artifact struct {
	Image v1.Image
	Index v1.ImageIndex
}

// PlatformImage is an image built for one platform ("linux/arm64").
type PlatformImage struct {
	Platform string
	Image    v1.Image
}

// ErrPlatformMismatch: an image's config declares another platform than
// the one it was built for (typically a Nix expression that ignores its
// system argument).
var ErrPlatformMismatch = errors.New("image platform mismatch")

// NewArtifact makes the artifact for an image's platforms: the image
// itself for one platform, an OCI index of all of them for several (each
// child described by its platform). Each image's config must declare the
// platform it is listed under.
func NewArtifact(images []PlatformImage) (Artifact, error) {
	if len(images) == 0 {
		return Artifact{}, errors.New("making artifact: no images")
	}
	adds := make([]mutate.IndexAddendum, 0, len(images))
	for _, pi := range images {
		want, err := v1.ParsePlatform(pi.Platform)
		if err != nil {
			return Artifact{}, fmt.Errorf("making artifact: parsing platform %q: %w", pi.Platform, err)
		}
		cf, err := pi.Image.ConfigFile()
		if err != nil {
			return Artifact{}, fmt.Errorf("making artifact: reading config of the %s image: %w", pi.Platform, err)
		}
		got := cf.Platform()
		if got == nil || got.OS != want.OS || got.Architecture != want.Architecture ||
			(got.Variant != "" && want.Variant != "" && got.Variant != want.Variant) {
			return Artifact{}, fmt.Errorf("making artifact: %w: the image built for %s declares %s", ErrPlatformMismatch, pi.Platform, platformString(got))
		}
		p := *want
		if p.Variant == "" {
			p.Variant = got.Variant
		}
		adds = append(adds, mutate.IndexAddendum{Add: pi.Image, Descriptor: v1.Descriptor{Platform: &p}})
	}
	if len(images) == 1 {
		return Artifact{Image: images[0].Image}, nil
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	return Artifact{Index: mutate.AppendManifests(idx, adds...)}, nil
}

func platformString(p *v1.Platform) string {
	if p == nil || (p.OS == "" && p.Architecture == "") {
		return "no platform"
	}
	return p.String()
}

// Digest is the digest a push of the artifact produces: the manifest's,
// or the index's for several platforms. Nothing is uploaded; this is what
// `--no-push` pins.
func (a Artifact) Digest() (v1.Hash, error) {
	switch {
	case a.Index != nil:
		return a.Index.Digest()
	case a.Image != nil:
		return a.Image.Digest()
	}
	return v1.Hash{}, errors.New("empty artifact")
}

// MediaType is the artifact's manifest media type.
func (a Artifact) MediaType() (types.MediaType, error) {
	switch {
	case a.Index != nil:
		return a.Index.MediaType()
	case a.Image != nil:
		return a.Image.MediaType()
	}
	return "", errors.New("empty artifact")
}

// describable is the artifact as the interface both publishers need.
type describable interface {
	remote.Taggable
	partial.Describable
}

func (a Artifact) taggable() describable {
	if a.Index != nil {
		return a.Index
	}
	return a.Image
}

// describe checks a request and computes what publishing it yields.
func describe(req Request) (Published, error) {
	if a := req.Artifact; (a.Image == nil) == (a.Index == nil) {
		return Published{}, fmt.Errorf("publishing %s: exactly one of image and index must be set", req.Repository)
	}
	if _, err := name.NewRepository(req.Repository); err != nil {
		return Published{}, fmt.Errorf("publishing: parsing repository %q: %w", req.Repository, err)
	}
	for _, t := range req.Tags {
		if _, err := name.NewTag(req.Repository + ":" + t); err != nil || strings.ContainsAny(t, ":@/") {
			return Published{}, fmt.Errorf("publishing %s: invalid tag %q", req.Repository, t)
		}
	}
	d, err := req.Artifact.Digest()
	if err != nil {
		return Published{}, fmt.Errorf("publishing %s: computing digest: %w", req.Repository, err)
	}
	mt, err := req.Artifact.MediaType()
	if err != nil {
		return Published{}, fmt.Errorf("publishing %s: %w", req.Repository, err)
	}
	return Published{Repository: req.Repository, Tags: append([]string(nil), req.Tags...), Digest: d, MediaType: mt}, nil
}

// NewPublisher picks the publisher for a push_to destination: "" pushes to
// each image's registry (opts apply), "oci:DIR" writes the OCI layout DIR,
// which is opened (or created) only when the first image is published, so
// that a run that fails before leaves no layout behind.
func NewPublisher(dest string, opts ...Option) (Publisher, error) {
	if dir, ok := strings.CutPrefix(dest, "oci:"); ok {
		if dir == "" {
			return nil, errors.New("setting up publisher: oci: needs a directory")
		}
		return &lazyLayout{dir: dir}, nil
	}
	if dest != "" {
		return nil, fmt.Errorf("setting up publisher: destination %q is neither \"\" nor oci:DIR", dest)
	}
	return NewRegistryPublisher(opts...)
}

// lazyLayout is a LayoutPublisher opened on first use.
type lazyLayout struct {
	dir  string
	once sync.Once
	lp   *LayoutPublisher
	err  error
}

func (l *lazyLayout) open() (*LayoutPublisher, error) {
	l.once.Do(func() { l.lp, l.err = NewLayoutPublisher(l.dir) })
	return l.lp, l.err
}

func (l *lazyLayout) Publish(ctx context.Context, req Request) (Published, error) {
	lp, err := l.open()
	if err != nil {
		return Published{}, err
	}
	return lp.Publish(ctx, req)
}

// Serves is false for a layout not created yet, without creating it.
func (l *lazyLayout) Serves(ctx context.Context, repository string, tags []string, digest string) (bool, error) {
	if _, err := os.Stat(filepath.Join(l.dir, "index.json")); err != nil {
		return false, nil
	}
	lp, err := l.open()
	if err != nil {
		return false, err
	}
	return lp.Serves(ctx, repository, tags, digest)
}

func (l *lazyLayout) Image(ctx context.Context, repository, digest string) (v1.Image, error) {
	if _, err := os.Stat(filepath.Join(l.dir, "index.json")); err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w: no image %s (the layout does not exist)", l.dir, ErrNotFound, digest)
	}
	lp, err := l.open()
	if err != nil {
		return nil, err
	}
	return lp.Image(ctx, repository, digest)
}
