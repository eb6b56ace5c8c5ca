package oci

import (
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// LayerProgress is how far one layer blob of a publication has been
// written. A layer's events start when its first bytes are read; the last
// one has Done (every byte read and sent) or Skipped (the destination
// already had the blob, so nothing was sent) set, and exactly one such
// event is sent per layer of a successful publication, none after it. A
// failed publication may leave layers without one. A layer shared by
// several platform images is reported once.
//
// Done comes as the last byte is read, before the registry confirms the
// blob: if that confirmation fails and the upload is retried, the retry
// is not reported again (and the publication fails if it fails).
type LayerProgress struct {
	// Repository is Request.Repository.
	Repository string
	Digest     v1.Hash
	// Complete of Total bytes. An upload that is retried starts over, so
	// Complete may go back to 0.
	Complete, Total int64
	Done, Skipped   bool
}

// layerReportEvery is how many bytes a layer's reader passes between two
// events, so that a large layer costs a few hundred callbacks, not one per
// read.
const layerReportEvery = 1 << 20

// layerTracker counts the bytes read from each layer of one publication
// and turns them into LayerProgress events. It calls fn from one goroutine
// at a time.
type layerTracker struct {
	repo string
	fn   func(LayerProgress)

	mu     sync.Mutex
	layers map[v1.Hash]*layerState
	order  []v1.Hash
}

type layerState struct {
	total    int64
	complete int64 // bytes read by the current attempt
	reported int64 // complete at the last event
	final    bool  // Done or Skipped sent
}

func newLayerTracker(repo string, fn func(LayerProgress)) *layerTracker {
	return &layerTracker{repo: repo, fn: fn, layers: map[v1.Hash]*layerState{}}
}

// register records a layer, once per digest.
func (t *layerTracker) register(d v1.Hash, size int64) *layerState {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.layers[d]
	if !ok {
		s = &layerState{total: size}
		t.layers[d] = s
		t.order = append(t.order, d)
	}
	return s
}

func (t *layerTracker) send(d v1.Hash, s *layerState, done, skipped bool) {
	s.reported = s.complete
	t.fn(LayerProgress{Repository: t.repo, Digest: d, Complete: s.complete, Total: s.total, Done: done, Skipped: skipped})
}

// restart is a new attempt at reading the layer: its count starts over.
func (t *layerTracker) restart(d v1.Hash, s *layerState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.final || s.complete == 0 {
		return
	}
	s.complete = 0
	t.send(d, s, false, false)
}

// read counts n more bytes of the layer; eof says the reader is exhausted.
func (t *layerTracker) read(d v1.Hash, s *layerState, n int, eof bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.final {
		// A retry of a layer already sent in full: the events stay done.
		return
	}
	first := s.complete == 0 && n > 0
	s.complete += int64(n)
	switch {
	case s.complete == s.total && (n > 0 || eof):
		s.final = true
		t.send(d, s, true, false)
	case first || s.complete-s.reported >= layerReportEvery:
		t.send(d, s, false, false)
	}
}

// finish ends a successful publication: every layer not sent in full was
// already at the destination.
func (t *layerTracker) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range t.order {
		s := t.layers[d]
		if !s.final {
			s.final = true
			s.complete = 0
			t.send(d, s, false, true)
		}
	}
}

// artifact wraps every layer of a so that reading it counts, and
// registers them all up front: a push that finds the tag already there
// opens none, and reports them all skipped.
func (t *layerTracker) artifact(a Artifact) (Artifact, error) {
	if a.Index != nil {
		ti := &trackedIndex{inner: a.Index, t: t}
		return Artifact{Index: ti}, t.walkIndex(ti)
	}
	ti := &trackedImage{Image: a.Image, t: t}
	_, err := ti.Layers()
	return Artifact{Image: ti}, err
}

func (t *layerTracker) walkIndex(idx v1.ImageIndex) error {
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range im.Manifests {
		switch {
		case desc.MediaType.IsIndex():
			child, err := idx.ImageIndex(desc.Digest)
			if err != nil {
				return err
			}
			if err := t.walkIndex(child); err != nil {
				return err
			}
		case desc.MediaType.IsImage():
			img, err := idx.Image(desc.Digest)
			if err != nil {
				return err
			}
			if _, err := img.Layers(); err != nil {
				return err
			}
		}
	}
	return nil
}

// trackedIndex is an index whose images' layers count their bytes.
type trackedIndex struct {
	inner
	t *layerTracker
}

// inner names the embedded index, whose field cannot be called ImageIndex
// next to the method.
type inner = v1.ImageIndex

func (i *trackedIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := i.inner.Image(h)
	if err != nil {
		return nil, err
	}
	return &trackedImage{Image: img, t: i.t}, nil
}

func (i *trackedIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	idx, err := i.inner.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return &trackedIndex{inner: idx, t: i.t}, nil
}

func (i *trackedIndex) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(i.inner) }

// trackedImage is an image whose layers count their bytes.
type trackedImage struct {
	v1.Image
	t *layerTracker
}

func (i *trackedImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for j, l := range ls {
		if out[j], err = i.wrap(l); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (i *trackedImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := i.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return i.wrap(l)
}

func (i *trackedImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	l, err := i.Image.LayerByDiffID(h)
	if err != nil {
		return nil, err
	}
	return i.wrap(l)
}

func (i *trackedImage) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(i.Image) }

// wrap counts l's bytes; the config blob and layers that are not
// distributable (foreign layers are never uploaded) stay as they are.
func (i *trackedImage) wrap(l v1.Layer) (v1.Layer, error) {
	mt, err := l.MediaType()
	if err != nil {
		return nil, err
	}
	if !mt.IsDistributable() || mt.IsConfig() {
		return l, nil
	}
	d, err := l.Digest()
	if err != nil {
		return nil, err
	}
	size, err := l.Size()
	if err != nil {
		return nil, err
	}
	return &trackedLayer{Layer: l, t: i.t, d: d, s: i.t.register(d, size)}, nil
}

// trackedLayer is a layer whose Compressed reader counts its bytes; every
// other method is the layer's own.
type trackedLayer struct {
	v1.Layer
	t *layerTracker
	d v1.Hash
	s *layerState
}

func (l *trackedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	// Each call is an attempt (go-containerregistry retries an upload by
	// opening the layer again): the count restarts.
	l.t.restart(l.d, l.s)
	return &countingReader{rc: rc, l: l}, nil
}

func (l *trackedLayer) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(l.Layer) }

// countingReader reports what is read through it; it buffers nothing.
type countingReader struct {
	rc io.ReadCloser
	l  *trackedLayer
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if n > 0 || err == io.EOF {
		r.l.t.read(r.l.d, r.l.s, n, err == io.EOF)
	}
	return n, err
}

func (r *countingReader) Close() error { return r.rc.Close() }
