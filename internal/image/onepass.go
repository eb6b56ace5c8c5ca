package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// maxJSONSize bounds manifest.json and config files kept in memory.
const maxJSONSize = 8 << 20

// maxLinkDepth bounds symlink chains inside an archive.
const maxLinkDepth = 16

// archiveEntry is one docker-archive manifest.json element.
type archiveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// readOnePass reads a docker-archive tar stream once (see the package
// documentation) into a temporary directory that the Output owns.
func readOnePass(r io.Reader, src string) (out *Output, err error) {
	tmp, err := os.MkdirTemp("", "pinner-image-")
	if err != nil {
		return nil, fmt.Errorf("reading docker-archive %s: %w", src, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	fail := func(err error) error { return fmt.Errorf("reading docker-archive %s: %w", src, err) }

	var (
		jsons  = map[string][]byte{}
		layers = map[string]*fileLayer{}
		links  = map[string]string{}
	)
	tr := tar.NewReader(r)
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
			if strings.HasSuffix(name, ".json") {
				if hdr.Size > maxJSONSize {
					return nil, fail(fmt.Errorf("%s is %d bytes, more than %d", name, hdr.Size, maxJSONSize))
				}
				b, err := io.ReadAll(tr)
				if err != nil {
					return nil, fail(err)
				}
				jsons[name] = b
				continue
			}
			l, err := storeLayer(tr, filepath.Join(tmp, fmt.Sprintf("layer-%d", len(layers))))
			if err != nil {
				return nil, fail(fmt.Errorf("storing %s: %w", name, err))
			}
			layers[name] = l
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), hdr.Linkname)
		case tar.TypeLink:
			links[name] = path.Clean(hdr.Linkname)
		}
	}
	resolve := func(name string) string {
		name = path.Clean(name)
		for range maxLinkDepth {
			t, ok := links[name]
			if !ok {
				break
			}
			name = t
		}
		return name
	}

	raw, ok := jsons["manifest.json"]
	if !ok {
		return nil, fail(errors.New("no manifest.json"))
	}
	var entries []archiveEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fail(fmt.Errorf("parsing manifest.json: %w", err))
	}
	if len(entries) != 1 {
		return nil, fail(fmt.Errorf("it holds %d images, pinner needs exactly one", len(entries)))
	}
	e := entries[0]
	cfg, ok := jsons[resolve(e.Config)]
	if !ok {
		return nil, fail(fmt.Errorf("config %s not found", e.Config))
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfg))
	if err != nil {
		return nil, fail(fmt.Errorf("parsing config %s: %w", e.Config, err))
	}
	if len(cf.RootFS.DiffIDs) != len(e.Layers) {
		return nil, fail(fmt.Errorf("config lists %d diff_ids but manifest.json %d layers", len(cf.RootFS.DiffIDs), len(e.Layers)))
	}
	// The stored layers serve the same image core as an indexed archive.
	img := &indexedImage{config: cfg}
	for i, p := range e.Layers {
		l, ok := layers[resolve(p)]
		if !ok {
			return nil, fail(fmt.Errorf("layer %s not found", p))
		}
		if l.diffID != cf.RootFS.DiffIDs[i] {
			return nil, fail(fmt.Errorf("layer %s has diff_id %s but the config says %s", p, l.diffID, cf.RootFS.DiffIDs[i]))
		}
		img.layers = append(img.layers, l)
	}
	v1img, err := partial.CompressedToImage(img)
	if err != nil {
		return nil, fail(err)
	}
	out = &Output{Image: v1img, tmp: tmp}
	if len(e.RepoTags) > 0 {
		out.RepoTag = e.RepoTags[0]
	}
	return out, nil
}

// storeLayer writes a layer to file gzip-compressed, hashing both forms.
// A layer that is gzip-compressed already is kept as it is.
func storeLayer(r io.Reader, file string) (*fileLayer, error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	compressed := bytes.Equal(magic, []byte{0x1f, 0x8b})

	digest := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, digest), 1<<16)
	diffID := sha256.New()
	var size int64
	if compressed {
		// Keep the blob, and hash what it decompresses to.
		zr, err := gzip.NewReader(io.TeeReader(br, bw))
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(diffID, zr); err != nil {
			return nil, err
		}
		// Anything after the gzip stream belongs to the blob too.
		if _, err := io.Copy(bw, br); err != nil {
			return nil, err
		}
	} else {
		zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(zw, io.TeeReader(br, diffID)); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if size, err = f.Seek(0, io.SeekCurrent); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &fileLayer{path: file, digest: sum(digest), diffID: sum(diffID), size: size}, nil
}

func sum(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// fileLayer is a gzip-compressed layer in a temporary file, its hashes
// known.
type fileLayer struct {
	path   string
	digest v1.Hash
	diffID v1.Hash
	size   int64
}

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error)  { return types.DockerLayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return gunzipOpener(l.path)() }
