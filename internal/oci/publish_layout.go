package oci

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// RefNameAnnotation names an entry of an OCI layout's index.json; pinner
// writes "repository:tag" there.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// LayoutPublisher writes images into an OCI image layout directory
// (push_to: oci:DIR), the registry-less destination. Each tag is one
// index.json entry annotated RefNameAnnotation = "repository:tag".
// Publishing is idempotent: an entry already naming the digest is left
// alone, one naming another digest is replaced (the tag moves), and blobs
// already present are not written again.
//
// A LayoutPublisher is safe for concurrent use; two processes writing the
// same layout at once are not (index.json is rewritten whole).
type LayoutPublisher struct {
	path layout.Path
	mu   sync.Mutex
}

// NewLayoutPublisher opens the OCI layout at dir, creating an empty one if
// dir does not exist or is empty.
func NewLayoutPublisher(dir string) (*LayoutPublisher, error) {
	p, err := layout.FromPath(dir)
	if err == nil {
		return &LayoutPublisher{path: p}, nil
	}
	entries, rerr := os.ReadDir(dir)
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, rerr)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	p, err = layout.Write(dir, empty.Index)
	if err != nil {
		return nil, fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	return &LayoutPublisher{path: p}, nil
}

// Dir is the layout's directory.
func (p *LayoutPublisher) Dir() string { return string(p.path) }

// Serves reports whether every tag's entry names digest.
func (p *LayoutPublisher) Serves(_ context.Context, repository string, tags []string, digest string) (bool, error) {
	for _, t := range tags {
		d, ok, err := p.Lookup(repository, t)
		if err != nil || !ok || d.String() != digest {
			return false, err
		}
	}
	return true, nil
}

// Lookup returns the digest of the entry named "repository:tag".
func (p *LayoutPublisher) Lookup(repository, tag string) (v1.Hash, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	descs, err := p.entries()
	if err != nil {
		return v1.Hash{}, false, err
	}
	for _, desc := range descs {
		if desc.Annotations[RefNameAnnotation] == repository+":"+tag {
			return desc.Digest, true, nil
		}
	}
	return v1.Hash{}, false, nil
}

func (p *LayoutPublisher) entries() ([]v1.Descriptor, error) {
	idx, err := p.path.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", p.path, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", p.path, err)
	}
	return im.Manifests, nil
}

// Publish writes the artifact's blobs and points every tag's entry at it.
func (p *LayoutPublisher) Publish(ctx context.Context, req Request) (Published, error) {
	pub, err := describe(req)
	if err != nil {
		return Published{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	descs, err := p.entries()
	if err != nil {
		return Published{}, err
	}
	have := map[string]v1.Hash{}
	for _, d := range descs {
		if ref, ok := d.Annotations[RefNameAnnotation]; ok {
			have[ref] = d.Digest
		}
	}
	// With req.LayerProgress, each layer is reported written or, when the
	// layout has it already, skipped.
	art := req.Artifact
	var layers *layerTracker
	if req.LayerProgress != nil {
		layers = newLayerTracker(req.Repository, req.LayerProgress)
		if art, err = layers.artifact(art); err != nil {
			return Published{}, fmt.Errorf("writing %s to OCI layout %s: reading layers: %w", req.Repository, p.path, err)
		}
	}
	wrote := false
	if len(req.Tags) == 0 {
		if err := p.writeBlobs(req.Repository, art); err != nil {
			return Published{}, err
		}
		// An entry without a name, so that the layout's index reaches it.
		if !slices.ContainsFunc(descs, func(d v1.Descriptor) bool { return d.Digest == pub.Digest }) {
			desc, err := partial.Descriptor(req.Artifact.taggable())
			if err != nil {
				return Published{}, fmt.Errorf("describing %s: %w", req.Repository, err)
			}
			if err := p.path.AppendDescriptor(*desc); err != nil {
				return Published{}, fmt.Errorf("writing OCI layout %s: %w", p.path, err)
			}
		}
	}
	for _, tag := range req.Tags {
		if err := ctx.Err(); err != nil {
			return Published{}, err
		}
		ref := req.Repository + ":" + tag
		if d, ok := have[ref]; ok && d == pub.Digest {
			continue
		}
		if !wrote {
			if err := p.writeBlobs(req.Repository, art); err != nil {
				return Published{}, err
			}
			wrote = true
		}
		desc, err := partial.Descriptor(req.Artifact.taggable())
		if err != nil {
			return Published{}, fmt.Errorf("describing %s: %w", req.Repository, err)
		}
		desc.Annotations = map[string]string{RefNameAnnotation: ref}
		if err := p.path.RemoveDescriptors(match.Annotation(RefNameAnnotation, ref)); err != nil {
			return Published{}, fmt.Errorf("writing OCI layout %s: %w", p.path, err)
		}
		if err := p.path.AppendDescriptor(*desc); err != nil {
			return Published{}, fmt.Errorf("writing OCI layout %s: %w", p.path, err)
		}
	}
	if layers != nil {
		layers.finish()
	}
	// Read back what the index now says, as a registry is asked.
	descs, err = p.entries()
	if err != nil {
		return Published{}, err
	}
	for _, tag := range req.Tags {
		ref := req.Repository + ":" + tag
		if !slices.ContainsFunc(descs, func(d v1.Descriptor) bool {
			return d.Annotations[RefNameAnnotation] == ref && d.Digest == pub.Digest
		}) {
			return Published{}, fmt.Errorf("writing OCI layout %s: %w: %s does not name %s after writing it", p.path, ErrDigestMismatch, ref, pub.Digest)
		}
	}
	return pub, nil
}

// Image is the image whose manifest blob is digest; repository plays no
// part in a layout.
func (p *LayoutPublisher) Image(_ context.Context, repository, digest string) (v1.Image, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, fmt.Errorf("reading %s@%s: %w", repository, digest, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	descs, err := p.entries()
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(descs, func(d v1.Descriptor) bool { return d.Digest == h }) {
		return nil, fmt.Errorf("OCI layout %s: %w: no image %s", p.path, ErrNotFound, digest)
	}
	return p.path.Image(h)
}

// writeBlobs writes the artifact's manifests, configs and layers; blobs
// already present are skipped by pkg/v1/layout.
func (p *LayoutPublisher) writeBlobs(repo string, art Artifact) error {
	var err error
	if art.Index != nil {
		err = p.path.WriteIndex(art.Index)
	} else {
		err = p.path.WriteImage(art.Image)
	}
	if err != nil {
		return fmt.Errorf("writing %s to OCI layout %s: %w", repo, p.path, err)
	}
	return nil
}
