package rewrite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/google/renameio/v2"
)

// Output is the new content of one file.
type Output struct {
	Path string
	Data []byte
	// Mode is used when the file does not exist yet; an existing file keeps
	// its mode.
	Mode fs.FileMode
}

// ErrHardLinked is wrapped by WriteAll's error for a file that has other
// hard links: replacing it would give this name the new content and leave
// the other names with the old one, silently.
var ErrHardLinked = errors.New("file has other hard links")

// syncFile makes a temporary file durable; tests replace it to fail.
var syncFile = (*os.File).Sync

// WriteAll replaces every file with its new content atomically, in three
// steps: each is written to a temporary file in its own directory; then
// every one of those is synced; only when all are durable are they renamed
// over the originals, in the order given. A failure before the renames
// (a full disk, an I/O error at any fsync, a directory that cannot be
// written) leaves every file untouched. (Syncing each file just before its
// own rename once left the files before an I/O error replaced and the rest
// not.)
//
// An existing file keeps its mode exactly, and its owner and group where
// the process may set them (as root, always; as another user, the group
// when the user belongs to it; otherwise the file becomes the user's, as
// with any editor that saves by rename). A path that is a symlink has its
// target written, so the link stays a link. A file with other hard links
// is refused (ErrHardLinked) before anything is written.
func WriteAll(outs []Output) error {
	type ready struct {
		path string
		pf   *renameio.PendingFile
	}
	var pending []ready
	cleanup := func() {
		for _, p := range pending {
			_ = p.pf.Cleanup()
		}
	}
	for _, o := range outs {
		pf, path, err := prepare(o)
		if err != nil {
			cleanup()
			return err
		}
		pending = append(pending, ready{path, pf})
	}
	for _, p := range pending {
		if err := syncFile(p.pf.File); err != nil {
			cleanup()
			return fmt.Errorf("writing %q: syncing: %w", p.path, err)
		}
	}
	for i, p := range pending {
		if err := p.pf.CloseAtomicallyReplace(); err != nil {
			for _, q := range pending[i+1:] {
				_ = q.pf.Cleanup()
			}
			return fmt.Errorf("replacing %q: %w", p.path, err)
		}
	}
	return nil
}

// prepare writes o's content to a temporary file beside the file it
// replaces (the target, when o.Path is a symlink), with the file's mode,
// owner and group.
func prepare(o Output) (*renameio.PendingFile, string, error) {
	path := o.Path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	mode := o.Mode
	if mode == 0 {
		mode = 0o644
	}
	perm := renameio.WithPermissions(mode)
	var owner *syscall.Stat_t
	fi, err := os.Stat(path)
	switch {
	case err == nil:
		// Keep the file's mode exactly, whatever the umask.
		perm = renameio.WithStaticPermissions(fi.Mode().Perm())
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			if st.Nlink > 1 {
				return nil, path, fmt.Errorf("writing %q: %w (%d names); replace them with one file and symlinks", path, ErrHardLinked, st.Nlink)
			}
			owner = st
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, path, fmt.Errorf("writing %q: %w", path, err)
	}
	pf, err := renameio.NewPendingFile(path, perm, renameio.WithTempDir(filepath.Dir(path)))
	if err != nil {
		return nil, path, fmt.Errorf("writing %q: %w", path, err)
	}
	if _, err := pf.Write(o.Data); err != nil {
		_ = pf.Cleanup()
		return nil, path, fmt.Errorf("writing %q: %w", path, err)
	}
	if owner != nil {
		keepOwner(pf.File, owner)
	}
	return pf, path, nil
}

// keepOwner gives f the owner and group of st, or the group alone, as far
// as the process may.
func keepOwner(f *os.File, st *syscall.Stat_t) {
	uid, gid := int(st.Uid), int(st.Gid)
	if f.Chown(uid, gid) == nil {
		return
	}
	_ = f.Chown(-1, gid)
}
