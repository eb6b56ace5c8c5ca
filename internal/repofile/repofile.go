// Package repofile reads the files of a repository that pinner takes as
// input (registry.yaml, pinner.lock, the changelog, the Nix modules)
// within bounds: only regular files, and only up to a size that no real
// one comes near. A path that names /dev/zero, a FIFO or a 2 GB file is an
// error before anything is read, rather than a hang or all of memory.
package repofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The largest file of each kind pinner reads. Each is far above what a
// real repository holds (a registry.yaml is a few KiB, a lock file about
// 150 bytes per image, a kubenix module rarely 100 KiB).
const (
	MaxConfig    = 1 << 20  // registry.yaml
	MaxLock      = 16 << 20 // pinner.lock
	MaxChangelog = 32 << 20 // the changelog, which grows with every update
	MaxModule    = 32 << 20 // a .nix module
)

// Sentinels, matchable with errors.Is.
var (
	// ErrNotRegular: the path names a device, a FIFO, a socket or a
	// directory, not a file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file is larger than its kind may be.
	ErrTooLarge = errors.New("file too large")
)

// Check makes sure path (followed through symlinks) is a regular file of at
// most max bytes, without opening it. Errors do not repeat the path, except
// those of the file system.
func Check(path string, max int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkInfo(fi, max)
}

func checkInfo(fi fs.FileInfo, max int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))
	}
	if fi.Size() > max {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, fi.Size(), max)
	}
	return nil
}

// Read reads path, a regular file of at most max bytes. It looks before it
// opens (opening a FIFO for reading waits for a writer), opens without
// blocking in case the path was swapped in between, looks again at what
// it opened, and reads no more than max bytes even from a file that grows.
// A missing file gives an error matching fs.ErrNotExist.
func Read(path string, max int64) ([]byte, error) {
	if err := Check(path, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkInfo(fi, max); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// ReadOptional is Read for a file that may not exist: then it returns nil
// and false.
func ReadOptional(path string, max int64) ([]byte, bool, error) {
	b, err := Read(path, max)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
