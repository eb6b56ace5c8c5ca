// Package nix2container reads the image.json that nix2container's
// buildImage writes and turns it into a go-containerregistry image without
// tarring anything up front: the config blob is built from the JSON, each
// layer is known by the digest the JSON records, and a layer's bytes are
// produced only when a destination lacks it.
//
// The bytes are the ones nix2container makes, so the digests are its own:
// the config blob is the OCI image-spec v1.Image nix2container marshals
// (created, architecture, os "linux", config, rootfs, history), encoded by
// encoding/json from the same image-spec types; a layer with store paths is
// the tar nix2container's nix/tar.go writes (the tree of every path after
// its rewrite, sorted by name, implied directories 0755, owners root, times
// fixed at the epoch), written with archive/tar from the same headers; a
// layer with a layer-path is that file. Every stream is hashed as it goes
// and a layer whose bytes do not have the recorded digest fails with
// ErrLayerMismatch before its last byte reaches the destination.
//
// Not covered: the "~nix~case~hack~" suffix nix2container strips only when
// built for macOS (a Linux store has none).
package nix2container

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	godigest "github.com/opencontainers/go-digest"
	spec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Limits on what an image.json may hold: it is read whole, and each layer
// walks its paths into memory before writing.
const (
	maxJSONSize  = 64 << 20
	maxLayers    = 1024
	maxPaths     = 1 << 16 // store paths of one layer
	maxPerms     = 1024    // perms of one path
	maxEntries   = 1 << 22 // files and directories of one layer
	maxRegexSize = 4096
)

// ErrNotImageJSON is wrapped when a file is not an image.json pinner reads.
var ErrNotImageJSON = errors.New("not a nix2container image.json")

// Image is an image.json: nix2container's types.Image.
type Image struct {
	Version     int              `json:"version"`
	ImageConfig spec.ImageConfig `json:"image-config"`
	Layers      []Layer          `json:"layers"`
	Arch        string           `json:"arch"`
	Created     *time.Time       `json:"created"`
}

// Layer is one layer of an image.json.
type Layer struct {
	Digest  string `json:"digest"`
	Size    int64  `json:"size"`
	DiffIDs string `json:"diff_ids"`
	Paths   []Path `json:"paths,omitempty"`
	// MediaType is the layer's OCI media type.
	MediaType string `json:"mediatype"`
	// LayerPath, when set, is a file holding the layer's blob.
	LayerPath string       `json:"layer-path,omitempty"`
	History   spec.History `json:"History"`
}

// Path is a store path of a layer and how it is tarred.
type Path struct {
	Path    string       `json:"path"`
	Options *PathOptions `json:"options,omitempty"`
}

// PathOptions change the names and the modes in the tar; never the store.
type PathOptions struct {
	Rewrite Rewrite `json:"rewrite"`
	Perms   []Perm  `json:"perms,omitempty"`
}

// Rewrite replaces every match of Regex in a file's path by Repl.
type Rewrite struct {
	Regex string `json:"regex"`
	Repl  string `json:"repl"`
}

// Perm sets the owner and the mode (octal) of the files whose source path
// matches Regex.
type Perm struct {
	Regex string `json:"regex"`
	Mode  string `json:"mode"`
	Uid   int    `json:"uid"`
	Gid   int    `json:"gid"`
	Uname string `json:"uname"`
	Gname string `json:"gname"`
}

// Sniff reports whether head, the start of a file, looks like an
// image.json: a JSON object whose first key is "version", as nix2container
// writes it.
func Sniff(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(head, []byte("{")) {
		return false
	}
	head = bytes.TrimLeft(head[1:], " \t\r\n")
	return bytes.HasPrefix(head, []byte(`"version"`))
}

// Read reads and checks the image.json at path.
func Read(path string) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading image.json: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJSONSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading image.json %s: %w", path, err)
	}
	if len(data) > maxJSONSize {
		return nil, fmt.Errorf("%s: %w: larger than %d MiB", path, ErrNotImageJSON, maxJSONSize>>20)
	}
	var img Image
	if err := json.Unmarshal(data, &img); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrNotImageJSON, err)
	}
	if err := img.check(); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrNotImageJSON, err)
	}
	return &img, nil
}

func (img *Image) check() error {
	if img.Version != 1 {
		return fmt.Errorf("version %d (pinner reads version 1)", img.Version)
	}
	if img.Arch == "" {
		return errors.New("no arch")
	}
	if len(img.Layers) > maxLayers {
		return fmt.Errorf("%d layers (at most %d)", len(img.Layers), maxLayers)
	}
	for i, l := range img.Layers {
		if _, err := v1.NewHash(l.Digest); err != nil {
			return fmt.Errorf("layer %d: digest %q: %v", i+1, l.Digest, err)
		}
		if _, err := godigest.Parse(l.DiffIDs); err != nil {
			return fmt.Errorf("layer %d: diff_ids %q: %v", i+1, l.DiffIDs, err)
		}
		if l.Size < 0 {
			return fmt.Errorf("layer %d: size %d", i+1, l.Size)
		}
		if !types.MediaType(l.MediaType).IsLayer() {
			return fmt.Errorf("layer %d: mediatype %q is not a layer's", i+1, l.MediaType)
		}
		if l.LayerPath == "" && len(l.Paths) == 0 {
			return fmt.Errorf("layer %d: neither paths nor layer-path", i+1)
		}
		if l.LayerPath == "" && l.Digest != l.DiffIDs {
			return fmt.Errorf("layer %d: a tar of store paths has digest %s but diff_ids %s", i+1, l.Digest, l.DiffIDs)
		}
		if len(l.Paths) > maxPaths {
			return fmt.Errorf("layer %d: %d paths (at most %d)", i+1, len(l.Paths), maxPaths)
		}
		for _, p := range l.Paths {
			if _, err := p.compile(); err != nil {
				return fmt.Errorf("layer %d: path %s: %v", i+1, p.Path, err)
			}
		}
	}
	return nil
}

// ConfigBlob is the image's config blob, byte for byte the one
// nix2container's GetConfigBlob makes. Labels, when given, are added to the
// image config's labels (an existing label of the same name is kept); the
// blob is then pinner's, no longer nix2container's.
func (img *Image) ConfigBlob(labels map[string]string) ([]byte, error) {
	c := spec.Image{
		Created:  img.Created,
		Platform: spec.Platform{Architecture: img.Arch, OS: "linux"},
		Config:   img.ImageConfig,
	}
	if len(labels) > 0 {
		m := maps.Clone(c.Config.Labels)
		if m == nil {
			m = make(map[string]string, len(labels))
		}
		for k, v := range labels {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
		c.Config.Labels = m
	}
	for _, l := range img.Layers {
		c.RootFS.Type = "layers"
		c.RootFS.DiffIDs = append(c.RootFS.DiffIDs, godigest.Digest(l.DiffIDs))
		c.History = append(c.History, l.History)
	}
	return json.Marshal(c)
}

// compiled is a path's options, ready to apply.
type compiled struct {
	rewrite *regexp.Regexp // nil: names unchanged
	repl    []byte
	perms   []compiledPerm
}

type compiledPerm struct {
	re *regexp.Regexp
	Perm
}

func (p Path) compile() (*compiled, error) {
	c := &compiled{}
	if p.Options == nil {
		return c, nil
	}
	o := p.Options
	if o.Rewrite.Regex != "" {
		if len(o.Rewrite.Regex) > maxRegexSize {
			return nil, fmt.Errorf("rewrite regex longer than %d bytes", maxRegexSize)
		}
		re, err := regexp.Compile(o.Rewrite.Regex)
		if err != nil {
			return nil, fmt.Errorf("rewrite regex: %v", err)
		}
		c.rewrite, c.repl = re, []byte(o.Rewrite.Repl)
	}
	if len(o.Perms) > maxPerms {
		return nil, fmt.Errorf("%d perms (at most %d)", len(o.Perms), maxPerms)
	}
	for _, pm := range o.Perms {
		if len(pm.Regex) > maxRegexSize {
			return nil, fmt.Errorf("perms regex longer than %d bytes", maxRegexSize)
		}
		re, err := regexp.Compile(pm.Regex)
		if err != nil {
			return nil, fmt.Errorf("perms regex: %v", err)
		}
		if pm.Mode != "" {
			var m int64
			if _, err := fmt.Sscanf(pm.Mode, "%o", &m); err != nil {
				return nil, fmt.Errorf("perms mode %q: not octal", pm.Mode)
			}
		}
		c.perms = append(c.perms, compiledPerm{re: re, Perm: pm})
	}
	return c, nil
}
