// Package lock reads and writes pinner.lock: the digest every tagged image
// reference of the repository is pinned to, so that `pinner check` can tell,
// offline, that a file disagrees with the last update.
//
// The file is indented JSON with sorted keys, so the same content always
// gives the same bytes and a diff shows only what changed:
//
//	{
//	  "version": 1,
//	  "images": {
//	    "docker.io/library/busybox:1.37": {
//	      "digest": "sha256:..."
//	    }
//	  }
//	}
//
// Keys are normalised references with their tag. Images the repository
// builds may carry more: the digest pushed and the Nix outputs built.
package lock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// Version is the schema version written.
const Version = 1

// Lock is the content of pinner.lock.
type Lock struct {
	Version int                    `json:"version"`
	Images  map[imageref.Key]Entry `json:"images"`
}

// Entry is one image reference.
type Entry struct {
	// Digest is the manifest digest the reference is pinned to.
	Digest string `json:"digest"`
	// Pushed is, for an image the repository builds, the digest of what
	// was pushed (an index for several platforms).
	Pushed string `json:"pushed,omitempty"`
	// Outputs are, for an image the repository builds, the Nix store paths
	// built, by platform.
	Outputs map[string]string `json:"outputs,omitempty"`
}

// New returns an empty lock.
func New() *Lock { return &Lock{Version: Version, Images: map[imageref.Key]Entry{}} }

// Read reads the lock at path; a missing file is an empty lock and found
// false. This is how every command reads the lock file. A file that is no
// lock (not a regular file, too large, not parsable) is bad input
// (diag.KindOf); a file system failing is an outside error.
func Read(path string) (l *Lock, found bool, err error) {
	data, found, err := repofile.ReadOptional(path, repofile.MaxLock)
	switch {
	case errors.Is(err, repofile.ErrNotRegular), errors.Is(err, repofile.ErrTooLarge):
		return nil, false, diag.AsBadInput(fmt.Errorf("reading lock file %q: %w", path, err))
	case err != nil:
		return nil, false, diag.AsOutside(fmt.Errorf("reading lock file %q: %w", path, err))
	case !found:
		return New(), false, nil
	}
	l, err = Decode(fmt.Sprintf("lock file %q", path), data)
	return l, true, err
}

// Decode parses data as Read does, for a lock read some other way (staged
// in git); what names it in the error ("staged lock file \"pinner.lock\""),
// which is bad input.
func Decode(what string, data []byte) (*Lock, error) {
	l, err := Parse(data)
	if err != nil {
		return nil, diag.AsBadInput(fmt.Errorf("reading %s: %w", what, err))
	}
	return l, nil
}

// Parse decodes a lock file. Unknown fields are errors: a newer pinner's
// lock must not be silently rewritten without them.
func Parse(data []byte) (*Lock, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lock
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("parsing: %w", err)
	}
	if l.Version != Version {
		return nil, fmt.Errorf("unsupported version %d (this pinner writes %d)", l.Version, Version)
	}
	if l.Images == nil {
		l.Images = map[imageref.Key]Entry{}
	}
	return &l, nil
}

// Marshal encodes the lock: two-space indentation, keys sorted, a final
// newline.
func (l *Lock) Marshal() []byte {
	c := *l
	if c.Images == nil {
		c.Images = map[imageref.Key]Entry{}
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		// Strings and maps of strings always encode.
		panic(err)
	}
	return append(b, '\n')
}

// Digests is the digest of every entry, by reference; nil for a nil lock.
func (l *Lock) Digests() map[imageref.Key]string {
	if l == nil {
		return nil
	}
	out := make(map[imageref.Key]string, len(l.Images))
	for ref, e := range l.Images {
		out[ref] = e.Digest
	}
	return out
}

// With returns a copy of l in which pins (normalised reference → digest)
// are the images. Entries of images the repository builds (with Pushed or
// Outputs) keep those fields; entries no pin names are dropped unless they
// carry them.
func (l *Lock) With(pins map[imageref.Key]string) *Lock {
	out := New()
	for ref, e := range l.Images {
		if e.Pushed != "" || len(e.Outputs) > 0 {
			e.Outputs = maps.Clone(e.Outputs)
			out.Images[ref] = e
		}
	}
	for ref, d := range pins {
		e := out.Images[ref]
		e.Digest = d
		out.Images[ref] = e
	}
	return out
}
