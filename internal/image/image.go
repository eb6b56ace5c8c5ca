// Package image turns what a Nix image build produced into a
// go-containerregistry image: a docker-archive (.tar or .tar.gz, as
// dockerTools.buildImage and buildLayeredImage write), an executable that
// streams a docker-archive to stdout (dockerTools.streamLayeredImage), an
// OCI image layout directory, or nix2container's image.json (see package
// nix2container: nothing is tarred until a destination lacks a layer).
//
// # Reading archives
//
// A plain .tar is seekable: one pass over its headers finds every file, then
// the layers are hashed concurrently, one per CPU: each is gzip-compressed
// and the compressed bytes hashed for the digest, then thrown away. The push
// compresses again while uploading, to the same bytes. Keeping the
// compressed layers in temporary files instead would save that compression
// but write the whole image to disk, which costs more than a fast gzip. The
// diff_ids are the config's, as pkg/v1/tarball trusts them.
//
// A .tar.gz cannot seek, and a stream can be read only once: both are read
// in one pass. Each layer is gzip-compressed to a temporary file as it goes
// by (hashing the uncompressed bytes for the diff_id and the compressed ones
// for the digest), and manifest.json and the config, which
// streamLayeredImage writes last, are kept in memory. Running the script
// again for every file would repeat the whole build of the stream each time;
// keeping the uncompressed stream on disk would take more space than the
// compressed layers, which the push needs anyway (a blob's digest must be
// known before its upload). Memory stays bounded by the JSON files (at most
// maxJSONSize each) and a few copy buffers; the temporary files live until
// Output.Close.
//
// Every path compresses with the same compressor, github.com/klauspost/compress
// gzip at BestSpeed (several times faster than compress/gzip, and it stores
// incompressible blocks instead of searching them), so an image reads to the
// same digest whichever way it arrives. The digests differ from those
// pkg/v1/tarball (compress/gzip) would compute for the same archive.
package image

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"

	"github.com/pinner-dev/pinner/internal/nix2container"
	"github.com/pinner-dev/pinner/internal/nixbuild"
)

// ErrNotImage is wrapped when a path holds none of the outputs Load reads.
var ErrNotImage = errors.New("not a container image")

// Kind is the kind of Nix output an image came from.
type Kind string

const (
	DockerArchive     Kind = "docker-archive"        // a .tar
	DockerArchiveGzip Kind = "docker-archive+gzip"   // a .tar.gz
	Stream            Kind = "docker-archive-stream" // an executable writing a .tar to stdout
	OCILayout         Kind = "oci-layout"            // a directory
	Nix2container     Kind = "nix2container"         // an image.json naming store paths
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
	case Nix2container:
		out, err = loadNix2container(path)
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
	notImage := fmt.Errorf("%s is %w: expected a docker-archive (.tar/.tar.gz), an executable that streams one, an OCI layout directory, or a nix2container image.json", path, ErrNotImage)
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
	case nix2container.Sniff(head):
		return Nix2container, nil
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
	rc, err := gunzipOpener(path)()
	if err != nil {
		return nil, fmt.Errorf("reading docker-archive %s: %w", path, err)
	}
	defer rc.Close()
	return readOnePass(rc, path)
}

// gunzipOpener opens a .tar.gz as the tar inside it.
func gunzipOpener(path string) func() (io.ReadCloser, error) {
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
