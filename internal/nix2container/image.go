package nix2container

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ErrLayerMismatch is wrapped when a layer's bytes do not have the digest
// (or the size) the image.json records for it: the store paths are not
// the ones nix2container tarred, or the tar differs.
var ErrLayerMismatch = errors.New("layer does not match image.json")

// LayerError is a layer that does not match its image.json.
type LayerError struct {
	Index  int // 1-based
	Digest string
	Source string // the layer-path, or the store paths
	Got    string // what was read: "sha256:..." or "more than N bytes"
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("layer %d (%s, from %s): %v: read %s", e.Index, e.Digest, e.Source, ErrLayerMismatch, e.Got)
}

func (e *LayerError) Unwrap() error { return ErrLayerMismatch }

// NewImage is img as a go-containerregistry image: its manifest is an OCI
// image manifest of the config blob (with labels added, see ConfigBlob)
// and the layers as image.json lists them. Nothing is read from the store
// until a layer's bytes are asked for.
func NewImage(img *Image, labels map[string]string) (v1.Image, error) {
	cfg, err := img.ConfigBlob(labels)
	if err != nil {
		return nil, fmt.Errorf("making the config blob: %w", err)
	}
	ci := &core{config: cfg, layers: make(map[v1.Hash]*layer, len(img.Layers))}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config: v1.Descriptor{
			MediaType: types.OCIConfigJSON,
			Size:      int64(len(cfg)),
			Digest:    sha256Hash(cfg),
		},
	}
	for i := range img.Layers {
		l := &img.Layers[i]
		d, _ := v1.NewHash(l.Digest) // checked by Read
		diff, err := v1.NewHash(l.DiffIDs)
		if err != nil {
			return nil, fmt.Errorf("layer %d: diff_ids %q: %w", i+1, l.DiffIDs, err)
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.MediaType(l.MediaType), Size: l.Size, Digest: d})
		if _, ok := ci.layers[d]; !ok {
			ci.layers[d] = &layer{json: l, index: i + 1, digest: d, diffID: diff}
		}
	}
	if ci.manifest, err = json.Marshal(m); err != nil {
		return nil, fmt.Errorf("making the manifest: %w", err)
	}
	return partial.CompressedToImage(ci)
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// core is partial.CompressedImageCore over an image.json.
type core struct {
	config, manifest []byte
	layers           map[v1.Hash]*layer
}

func (c *core) RawConfigFile() ([]byte, error)      { return c.config, nil }
func (c *core) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (c *core) RawManifest() ([]byte, error)        { return c.manifest, nil }

func (c *core) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := c.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("no layer %s in the image", h)
}

// layer is one layer of an image.json. Its bytes are made on demand.
type layer struct {
	json           *Layer
	index          int
	digest, diffID v1.Hash
}

func (l *layer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *layer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *layer) Size() (int64, error)                { return l.json.Size, nil }
func (l *layer) MediaType() (types.MediaType, error) { return types.MediaType(l.json.MediaType), nil }

// Compressed is the layer's blob: the layer-path file, or the tar of the
// store paths written while it is read. The reader fails with a
// *LayerError instead of ending when the bytes are not the recorded ones.
func (l *layer) Compressed() (io.ReadCloser, error) {
	var src io.ReadCloser
	if l.json.LayerPath != "" {
		f, err := os.Open(l.json.LayerPath)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", l.index, err)
		}
		src = f
	} else {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(WriteTar(pw, l.json.Paths)) }()
		src = pr
	}
	return &verifier{rc: src, l: l, h: sha256.New()}, nil
}

// Uncompressed is the layer's tar.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	mt := types.MediaType(l.json.MediaType)
	switch {
	case strings.HasSuffix(string(mt), "+gzip") || mt == types.DockerLayer:
		zr, err := gzip.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("layer %d: %w", l.index, err)
		}
		return readCloser{zr, rc}, nil
	case strings.HasSuffix(string(mt), "+zstd"):
		zr, err := zstd.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("layer %d: %w", l.index, err)
		}
		return readCloser{zr.IOReadCloser(), rc}, nil
	}
	return rc, nil
}

type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// source names where a layer's bytes come from, for errors.
func (l *layer) source() string {
	if l.json.LayerPath != "" {
		return l.json.LayerPath
	}
	var b bytes.Buffer
	for i, p := range l.json.Paths {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(l.json.Paths)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Path)
	}
	return b.String()
}

// verifier hashes what it reads and, at the end, returns a *LayerError in
// place of io.EOF when the digest or the size differ.
type verifier struct {
	rc io.ReadCloser
	l  *layer
	h  hash.Hash
	n  int64
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.l.json.Size {
		return 0, v.mismatch(fmt.Sprintf("more than the %d bytes recorded", v.l.json.Size))
	}
	if err == io.EOF {
		got := "sha256:" + hex.EncodeToString(v.h.Sum(nil))
		if got != v.l.digest.String() || v.n != v.l.json.Size {
			return n, v.mismatch(fmt.Sprintf("%s, %d bytes", got, v.n))
		}
	}
	return n, err
}

func (v *verifier) mismatch(got string) error {
	return &LayerError{Index: v.l.index, Digest: v.l.digest.String(), Source: v.l.source(), Got: got}
}

func (v *verifier) Close() error { return v.rc.Close() }
