package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// countingReader counts the bytes read through it: after tar.Reader.Next,
// the count is the offset of the entry's data, since archive/tar reads
// headers block by block and never ahead into the data.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tarEntry is where a regular file's data lies in the archive.
type tarEntry struct{ off, size int64 }

// readIndexed reads a plain (seekable) docker-archive: one pass over the
// headers to find each file, then every layer hashed concurrently, one CPU
// each: its bytes for the diff_id, and its gzip (BestSpeed, as
// pkg/v1/tarball) for the digest, the compressed bytes thrown away. The push
// compresses again while uploading (the same bytes: the same compressor at
// the same level). Writing the compressed layers to temporary files instead
// would save that second compression but costs a write of the whole image,
// which on ordinary disks is slower than gzip on a second core;
// pkg/v1/tarball does the same two compressions, but computes the digests
// one layer at a time.
func readIndexed(src string) (out *Output, err error) {
	fail := func(err error) error { return fmt.Errorf("reading docker-archive %s: %w", src, err) }
	f, err := os.Open(src)
	if err != nil {
		return nil, fail(err)
	}
	defer f.Close()
	cr := &countingReader{r: f}
	tr := tar.NewReader(cr)
	files := map[string]tarEntry{}
	links := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail(err)
		}
		name := path.Clean(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg:
			files[name] = tarEntry{off: cr.n, size: hdr.Size}
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), hdr.Linkname)
		case tar.TypeLink:
			links[name] = path.Clean(hdr.Linkname)
		}
	}
	resolve := func(name string) (tarEntry, bool) {
		name = path.Clean(name)
		for range maxLinkDepth {
			t, ok := links[name]
			if !ok {
				break
			}
			name = t
		}
		e, ok := files[name]
		return e, ok
	}
	readJSON := func(name string) ([]byte, error) {
		e, ok := resolve(name)
		if !ok {
			return nil, fmt.Errorf("%s not found", name)
		}
		if e.size > maxJSONSize {
			return nil, fmt.Errorf("%s is %d bytes, more than %d", name, e.size, maxJSONSize)
		}
		b := make([]byte, e.size)
		if _, err := f.ReadAt(b, e.off); err != nil {
			return nil, err
		}
		return b, nil
	}

	raw, err := readJSON("manifest.json")
	if err != nil {
		return nil, fail(err)
	}
	var entries []archiveEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fail(fmt.Errorf("parsing manifest.json: %w", err))
	}
	if len(entries) != 1 {
		return nil, fail(fmt.Errorf("it holds %d images, pinner needs exactly one", len(entries)))
	}
	e := entries[0]
	cfg, err := readJSON(e.Config)
	if err != nil {
		return nil, fail(fmt.Errorf("config: %w", err))
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfg))
	if err != nil {
		return nil, fail(fmt.Errorf("parsing config %s: %w", e.Config, err))
	}
	if len(cf.RootFS.DiffIDs) != len(e.Layers) {
		return nil, fail(fmt.Errorf("config lists %d diff_ids but manifest.json %d layers", len(cf.RootFS.DiffIDs), len(e.Layers)))
	}

	tmp, err := os.MkdirTemp("", "pinner-image-")
	if err != nil {
		return nil, fail(err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	layers := make([]partial.CompressedLayer, len(e.Layers))
	var g errgroup.Group
	g.SetLimit(runtime.NumCPU())
	for i, p := range e.Layers {
		le, ok := resolve(p)
		if !ok {
			return nil, fail(fmt.Errorf("layer %s not found", p))
		}
		g.Go(func() error {
			sec := io.NewSectionReader(f, le.off, le.size)
			var magic [2]byte
			_, _ = sec.ReadAt(magic[:], 0)
			var (
				l   partial.CompressedLayer
				did v1.Hash
			)
			if magic == [2]byte{0x1f, 0x8b} {
				// Compressed already: kept as it is, in a file of its own.
				fl, err := storeLayer(sec, filepath.Join(tmp, fmt.Sprintf("layer-%d", i)))
				if err != nil {
					return fmt.Errorf("storing %s: %w", p, err)
				}
				l, did = fl, fl.diffID
			} else {
				sl, err := newSectionLayer(src, le, cf.RootFS.DiffIDs[i])
				if err != nil {
					return fmt.Errorf("hashing %s: %w", p, err)
				}
				l, did = sl, sl.diffID
			}
			if did != cf.RootFS.DiffIDs[i] {
				return fmt.Errorf("layer %s has diff_id %s but the config says %s", p, did, cf.RootFS.DiffIDs[i])
			}
			layers[i] = l
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fail(err)
	}
	img, err := partial.CompressedToImage(&indexedImage{config: cfg, layers: layers})
	if err != nil {
		return nil, fail(err)
	}
	out = &Output{Image: img, tmp: tmp}
	if len(e.RepoTags) > 0 {
		out.RepoTag = e.RepoTags[0]
	}
	return out, nil
}

// sectionLayer is an uncompressed layer inside the archive file, its
// hashes known; Compressed gzips it again on the fly.
type sectionLayer struct {
	path           string
	entry          tarEntry
	digest, diffID v1.Hash
	size           int64 // compressed
}

func newSectionLayer(path string, e tarEntry, diffID v1.Hash) (*sectionLayer, error) {
	rc, err := (&sectionLayer{path: path, entry: e}).Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	digest := sha256.New()
	cw := &countWriter{w: digest}
	zw, err := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(zw, bufio.NewReaderSize(rc, 1<<16)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &sectionLayer{path: path, entry: e, digest: sum(digest), diffID: diffID, size: cw.n}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (l *sectionLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *sectionLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *sectionLayer) Size() (int64, error)                { return l.size, nil }
func (l *sectionLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Uncompressed reads the layer's bytes from the archive.
func (l *sectionLayer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	return &sectionReadCloser{SectionReader: io.NewSectionReader(f, l.entry.off, l.entry.size), f: f}, nil
}

// Compressed gzips the layer while it is read.
func (l *sectionLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<16)
		zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
		_, err := io.Copy(zw, bufio.NewReaderSize(rc, 1<<16))
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		rc.Close()
		pw.CloseWithError(err)
	}()
	return pr, nil
}

type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionReadCloser) Close() error { return s.f.Close() }

// indexedImage is a partial.CompressedImageCore over an archive's layers,
// with the manifest pkg/v1/tarball would compute for the same archive.
type indexedImage struct {
	config []byte
	layers []partial.CompressedLayer
}

func (i *indexedImage) RawConfigFile() ([]byte, error)      { return i.config, nil }
func (i *indexedImage) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

func (i *indexedImage) RawManifest() ([]byte, error) {
	h, size, err := v1.SHA256(bytes.NewReader(i.config))
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Size: size, Digest: h},
		Layers:        make([]v1.Descriptor, len(i.layers)),
	}
	for j, l := range i.layers {
		d, _ := l.Digest()
		n, _ := l.Size()
		m.Layers[j] = v1.Descriptor{MediaType: types.DockerLayer, Size: n, Digest: d}
	}
	return json.Marshal(m)
}

func (i *indexedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.layers {
		if d, _ := l.Digest(); d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with digest %s", h)
}
