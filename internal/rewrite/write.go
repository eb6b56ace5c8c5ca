package rewrite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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

// WriteAll replaces every file with its new content atomically: each is
// written to a temporary file in its own directory and synced first, and
// only when all of them are ready are they renamed over the originals. A
// failure before that point leaves every file untouched.
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
		mode := o.Mode
		if mode == 0 {
			mode = 0o644
		}
		perm := renameio.WithPermissions(mode)
		if fi, err := os.Stat(o.Path); err == nil {
			// Keep the file's mode exactly, whatever the umask.
			perm = renameio.WithStaticPermissions(fi.Mode().Perm())
		} else if !errors.Is(err, fs.ErrNotExist) {
			cleanup()
			return fmt.Errorf("writing %q: %w", o.Path, err)
		}
		pf, err := renameio.NewPendingFile(o.Path, perm, renameio.WithTempDir(filepath.Dir(o.Path)))
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %q: %w", o.Path, err)
		}
		pending = append(pending, ready{o.Path, pf})
		if _, err := pf.Write(o.Data); err != nil {
			cleanup()
			return fmt.Errorf("writing %q: %w", o.Path, err)
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
