package image

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// refNameAnnotation names an OCI layout entry.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// loadLayout reads an OCI layout whose index.json has exactly one entry:
// an image, or an index (a multi-platform image).
func loadLayout(dir string) (*Output, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	if len(im.Manifests) != 1 {
		return nil, fmt.Errorf("reading OCI layout %s: index.json has %d entries, pinner needs exactly one (an image or an index)", dir, len(im.Manifests))
	}
	desc := im.Manifests[0]
	out := &Output{RepoTag: desc.Annotations[refNameAnnotation]}
	switch {
	case desc.MediaType.IsImage():
		out.Image, err = idx.Image(desc.Digest)
	case desc.MediaType.IsIndex():
		out.Index, err = idx.ImageIndex(desc.Digest)
	default:
		return nil, fmt.Errorf("reading OCI layout %s: entry %s has media type %q, neither an image nor an index", dir, desc.Digest, desc.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	return out, nil
}
