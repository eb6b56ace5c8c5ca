package oci

import (
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// holders remembers which repository each layer was pushed to (or found
// in) by this publisher, so that a later push of the same layer to another
// repository of the registry mounts it from there instead of uploading it
// again: a registry keeps blobs per repository (a HEAD in the new one says
// 404), and images of one repository often share base layers. A mount the
// registry refuses falls back to an upload.
type holders struct {
	mu sync.Mutex
	by map[v1.Hash]name.Repository
}

// mounter is one push's view of holders: where it goes, the other
// repositories that may hold its layers, and how to ask one.
type mounter struct {
	h        *holders
	target   name.Repository
	siblings []name.Repository // same registry, not target
	has      func(repo name.Repository, d v1.Hash) bool
}

// record notes that repo holds every layer of art.
func (h *holders) record(repo name.Repository, art Artifact) {
	var ds []v1.Hash
	_ = eachImage(art, func(img v1.Image) error {
		ls, err := img.Layers()
		if err != nil {
			return err
		}
		for _, l := range ls {
			if d, err := l.Digest(); err == nil {
				ds = append(ds, d)
			}
		}
		return nil
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[v1.Hash]name.Repository{}
	}
	for _, d := range ds {
		h.by[d] = repo
	}
}

// from is another repository of the target's registry that holds d: one
// this publisher pushed it to, else a sibling that has it, unless the
// target has it already.
func (m *mounter) from(d v1.Hash) (name.Repository, bool) {
	m.h.mu.Lock()
	r, ok := m.h.by[d]
	m.h.mu.Unlock()
	if ok && r.RegistryStr() == m.target.RegistryStr() && r.RepositoryStr() != m.target.RepositoryStr() {
		return r, true
	}
	if len(m.siblings) == 0 || m.has(m.target, d) {
		return name.Repository{}, false
	}
	for _, s := range m.siblings {
		if m.has(s, d) {
			return s, true
		}
	}
	return name.Repository{}, false
}

// mountable wraps art so that each layer another repository holds is a
// remote.MountableLayer naming it. Asking a sibling costs a HEAD per layer,
// and happens only where siblings are given.
func (h *holders) mountable(art Artifact, target name.Repository, siblings []name.Repository, has func(name.Repository, v1.Hash) bool) Artifact {
	m := &mounter{h: h, target: target, has: has}
	for _, s := range siblings {
		if s.RegistryStr() == target.RegistryStr() && s.RepositoryStr() != target.RepositoryStr() {
			m.siblings = append(m.siblings, s)
		}
	}
	if art.Index != nil {
		return Artifact{Index: &mountIndex{inner: art.Index, m: m}}
	}
	return Artifact{Image: &mountImage{Image: art.Image, m: m}}
}

func eachImage(art Artifact, fn func(v1.Image) error) error {
	if art.Image != nil {
		return fn(art.Image)
	}
	im, err := art.Index.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range im.Manifests {
		if !desc.MediaType.IsImage() {
			continue
		}
		img, err := art.Index.Image(desc.Digest)
		if err != nil {
			return err
		}
		if err := fn(img); err != nil {
			return err
		}
	}
	return nil
}

type mountIndex struct {
	inner
	m *mounter
}

func (i *mountIndex) Image(d v1.Hash) (v1.Image, error) {
	img, err := i.inner.Image(d)
	if err != nil {
		return nil, err
	}
	return &mountImage{Image: img, m: i.m}, nil
}

func (i *mountIndex) ImageIndex(d v1.Hash) (v1.ImageIndex, error) {
	idx, err := i.inner.ImageIndex(d)
	if err != nil {
		return nil, err
	}
	return &mountIndex{inner: idx, m: i.m}, nil
}

func (i *mountIndex) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(i.inner) }

type mountImage struct {
	v1.Image
	m *mounter
}

func (i *mountImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for j, l := range ls {
		out[j] = i.wrap(l)
	}
	return out, nil
}

func (i *mountImage) LayerByDigest(d v1.Hash) (v1.Layer, error) {
	l, err := i.Image.LayerByDigest(d)
	if err != nil {
		return nil, err
	}
	return i.wrap(l), nil
}

func (i *mountImage) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(i.Image) }

func (i *mountImage) wrap(l v1.Layer) v1.Layer {
	d, err := l.Digest()
	if err != nil {
		return l
	}
	if repo, ok := i.m.from(d); ok {
		return &remote.MountableLayer{Layer: l, Reference: repo.Digest(d.String())}
	}
	return l
}
