package nix2container

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
)

// The times of every entry: nix2container's.
var (
	modTime = time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)
	epoch   = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
)

// entry is a name in the tar's tree. info is nil for a directory that only
// a deeper entry implies (/nix and /nix/store for a store path).
type entry struct {
	src  string
	info fs.FileInfo
	opts *PathOptions
	c    *compiled
	kids map[string]*entry
}

// WriteTar writes the layer tar of paths to w, as nix2container does: every
// file below each path is put into one tree under its rewritten name (a
// name rewritten to "" is left out), then the tree is written depth first,
// each directory's entries sorted by name.
func WriteTar(w io.Writer, paths []Path) error {
	root := &entry{kids: map[string]*entry{}}
	n := 0
	for _, p := range paths {
		c, err := p.compile()
		if err != nil {
			return fmt.Errorf("path %s: %w", p.Path, err)
		}
		err = filepath.Walk(p.Path, func(src string, info fs.FileInfo, err error) error {
			if err != nil {
				return fmt.Errorf("reading %s: %w", src, err)
			}
			if n++; n > maxEntries {
				return fmt.Errorf("more than %d files", maxEntries)
			}
			return root.add(src, info, p.Options, c)
		})
		if err != nil {
			return err
		}
	}
	tw := tar.NewWriter(w)
	if err := root.write(tw, ""); err != nil {
		return err
	}
	return tw.Close()
}

func (root *entry) add(src string, info fs.FileInfo, opts *PathOptions, c *compiled) error {
	dst := src
	if c.rewrite != nil {
		dst = string(c.rewrite.ReplaceAll([]byte(src), c.repl))
	}
	if dst == "" {
		return nil
	}
	cur := root
	for _, part := range splitPath(dst) {
		next, ok := cur.kids[part]
		if !ok {
			next = &entry{kids: map[string]*entry{}}
			cur.kids[part] = next
		}
		cur = next
	}
	if cur.info != nil {
		if cur.info.Mode() != info.Mode() {
			return fmt.Errorf("%s is in the layer twice with different modes (%v from %s, %v from %s)", dst, cur.info.Mode(), cur.src, info.Mode(), src)
		}
		if cur.info.Mode().IsRegular() && cur.info.Size() != info.Size() {
			return fmt.Errorf("%s is in the layer twice with different sizes (%d from %s, %d from %s)", dst, cur.info.Size(), cur.src, info.Size(), src)
		}
	}
	if cur.opts != nil && !reflect.DeepEqual(cur.opts.Perms, permsOf(opts)) {
		return fmt.Errorf("%s is in the layer twice with different perms", dst)
	}
	cur.src, cur.info, cur.opts, cur.c = src, info, opts, c
	return nil
}

func permsOf(o *PathOptions) []Perm {
	if o == nil {
		return nil
	}
	return o.Perms
}

// splitPath is the names of a cleaned path; "/" is the one name "".
func splitPath(p string) []string {
	p = filepath.Clean(p)
	if p == "/" {
		return []string{""}
	}
	return strings.Split(p, "/")
}

func (e *entry) write(tw *tar.Writer, base string) error {
	for _, k := range slices.Sorted(maps.Keys(e.kids)) {
		kid := e.kids[k]
		dst := filepath.Join(base, k)
		if k == "" {
			dst = "/"
		}
		var err error
		if kid.info == nil {
			err = tw.WriteHeader(&tar.Header{
				Name: dst, Typeflag: tar.TypeDir, Mode: 0o755,
				Uname: "root", Gname: "root",
				ModTime: modTime, AccessTime: epoch, ChangeTime: epoch,
			})
		} else {
			err = kid.writeFile(tw, dst)
		}
		if err != nil {
			return err
		}
		if err := kid.write(tw, dst); err != nil {
			return err
		}
	}
	return nil
}

func (e *entry) writeFile(tw *tar.Writer, dst string) error {
	var link string
	if e.info.Mode()&fs.ModeSymlink != 0 {
		l, err := os.Readlink(e.src)
		if err != nil {
			return fmt.Errorf("reading %s: %w", e.src, err)
		}
		link = l
	}
	hdr, err := tar.FileInfoHeader(e.info, link)
	if err != nil {
		return fmt.Errorf("reading %s: %w", e.src, err)
	}
	hdr.Name = dst
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "root", "root"
	if link != "" {
		hdr.Mode = 0o777
	}
	for _, p := range e.c.perms {
		if !p.re.MatchString(e.src) {
			continue
		}
		hdr.Uid, hdr.Gid = p.Uid, p.Gid
		if p.Uname != "" {
			hdr.Uname = p.Uname
		}
		if p.Gname != "" {
			hdr.Gname = p.Gname
		}
		if p.Mode != "" {
			if _, err := fmt.Sscanf(p.Mode, "%o", &hdr.Mode); err != nil {
				return fmt.Errorf("perms mode %q: %w", p.Mode, err)
			}
		}
	}
	hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = modTime, epoch, epoch
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing the tar header of %s: %w", e.src, err)
	}
	if !e.info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(e.src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", e.src, err)
	}
	defer f.Close()
	if _, err := io.Copy(tw, f); err != nil {
		if errors.Is(err, tar.ErrWriteTooLong) {
			return fmt.Errorf("reading %s: it grew while being read", e.src)
		}
		return fmt.Errorf("reading %s: %w", e.src, err)
	}
	return nil
}
