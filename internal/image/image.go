// Package image turns what a Nix image build produced into a
// go-containerregistry image: a docker-archive (.tar or .tar.gz, as
// dockerTools.buildImage and buildLayeredImage write), an executable that
// streams a docker-archive to stdout (dockerTools.streamLayeredImage), or an
// OCI image layout directory.
//
// # Reading archives
//
// A plain .tar is read with pkg/v1/tarball, which seeks to each file it
// needs. A .tar.gz cannot seek: pkg/v1/tarball reopens and gunzips the
// archive from the start for every file it reads (config, then each layer
// once for its digest and once for the upload), so a .tar.gz with L layers
// costs about 2·L decompressions. That is nothing for buildImage's one
// layer; archives with more than MaxRereadLayers layers (buildLayeredImage)
// are read in one pass instead, like streams.
//
// A stream is read once, in one pass: each layer is gzip-compressed to a
// temporary file as it goes by (hashing the uncompressed bytes for the
// diff_id and the compressed ones for the digest), and manifest.json and the
// config, which streamLayeredImage writes last, are kept in memory. Running
// the script again for every file, as a tarball.Opener would, would repeat
// the whole build of the stream each time; keeping the uncompressed stream
// on disk would take more space than the compressed layers, which the push
// needs anyway (a blob's digest must be known before its upload). Memory
// stays bounded by the JSON files (at most maxJSONSize each); the temporary
// files live until Output.Close.
//
// Layers are compressed with gzip.BestSpeed, as pkg/v1/tarball does, so an
// image reads to the same digest whichever way it arrives.
package image

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pinner-dev/pinner/internal/nixbuild"
)

// ErrNotImage is wrapped when a path holds none of the outputs Load reads.
var ErrNotImage = errors.New("not a container image")

// MaxRereadLayers is the most layers a .tar.gz may have to be read through
// pkg/v1/tarball's re-reading opener; above it, Load reads it in one pass.
const MaxRereadLayers = 4

// Kind is the kind of Nix output an image came from.
type Kind string

const (
	DockerArchive     Kind = "docker-archive"        // a .tar
	DockerArchiveGzip Kind = "docker-archive+gzip"   // a .tar.gz
	Stream            Kind = "docker-archive-stream" // an executable writing a .tar to stdout
	OCILayout         Kind = "oci-layout"            // a directory
)

// Output is a loaded image. Exactly one of Image and Index is set; Index
// only for an OCI layout whose single entry is an index.
type Output struct {
	Path  string
	Kind  Kind
	Image v1.Image
	Index v1.ImageIndex
	// RepoTag is the name the output gives itself: the docker-archive's
	// first RepoTags entry ("name:tag") or the OCI layout entry's
	// org.opencontainers.image.ref.name annotation; "" when absent.
	RepoTag string

	tmp string // temporary directory to remove on Close
}

// Close removes the temporary files a stream was read into. Image and
// Index must not be used afterwards.
func (o *Output) Close() error {
	if o == nil || o.tmp == "" {
		return nil
	}
	err := os.RemoveAll(o.tmp)
	o.tmp = ""
	return err
}

// Load reads the image at path, detecting its kind by content. ctx bounds
// the run of a streaming executable. The caller must Close the Output.
func Load(ctx context.Context, path string) (*Output, error) {
	kind, err := Detect(path)
	if err != nil {
		return nil, err
	}
	var out *Output
	switch kind {
	case DockerArchive, DockerArchiveGzip:
		out, err = loadArchive(path, kind)
	case Stream:
		out, err = loadStream(ctx, path)
	case OCILayout:
		out, err = loadLayout(path)
	}
	if err != nil {
		return nil, err
	}
	out.Path, out.Kind = path, kind
	return out, nil
}

// Detect says what kind of image output path is, by content: a directory
// with an oci-layout file, gzip or tar magic, or an executable file.
func Detect(path string) (Kind, error) {
	notImage := fmt.Errorf("%s is %w: expected a docker-archive (.tar/.tar.gz), an executable that streams one, or an OCI layout directory", path, ErrNotImage)
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading image output: %w", err)
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "oci-layout")); err == nil {
			return OCILayout, nil
		}
		return "", notImage
	}
	if !fi.Mode().IsRegular() {
		return "", notImage
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading image output: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading image output: %w", err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return DockerArchiveGzip, nil
	case isTar(head):
		return DockerArchive, nil
	case fi.Mode()&0o111 != 0:
		return Stream, nil
	}
	return "", notImage
}

// isTar looks for the ustar magic ("ustar\x00" POSIX, "ustar  \x00" GNU).
func isTar(head []byte) bool {
	return len(head) >= 263 && bytes.Equal(head[257:262], []byte("ustar"))
}

func loadArchive(path string, kind Kind) (*Output, error) {
	if kind == DockerArchive {
		return readIndexed(path)
	}
	opener := func() (io.ReadCloser, error) { return os.Open(path) }
	if kind == DockerArchiveGzip {
		opener = gunzipOpener(path)
	}
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, fmt.Errorf("reading docker-archive %s: %w", path, err)
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("reading docker-archive %s: it holds %d images, pinner needs exactly one", path, len(m))
	}
	if kind == DockerArchiveGzip && len(m[0].Layers) > MaxRereadLayers {
		rc, err := opener()
		if err != nil {
			return nil, fmt.Errorf("reading docker-archive %s: %w", path, err)
		}
		defer rc.Close()
		return readOnePass(rc, path)
	}
	img, err := tarball.Image(opener, nil)
	if err != nil {
		return nil, fmt.Errorf("reading docker-archive %s: %w", path, err)
	}
	out := &Output{Image: img}
	if len(m[0].RepoTags) > 0 {
		out.RepoTag = m[0].RepoTags[0]
	}
	return out, nil
}

// gunzipOpener opens a .tar.gz as the tar inside it.
func gunzipOpener(path string) tarball.Opener {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("gunzipping: %w", err)
		}
		return &gunzipReader{Reader: zr, f: f}, nil
	}
}

type gunzipReader struct {
	*gzip.Reader
	f *os.File
}

func (g *gunzipReader) Close() error {
	err := g.Reader.Close()
	if ferr := g.f.Close(); err == nil {
		err = ferr
	}
	return err
}

func loadStream(ctx context.Context, path string) (*Output, error) {
	rc, err := nixbuild.Stream(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out, err := readOnePass(rc, path)
	if err != nil {
		return nil, err
	}
	// The tar ends before the stream does (record padding). Reading to the
	// end is what reports a script that failed after writing its archive.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}
