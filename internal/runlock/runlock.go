// Package runlock keeps two pinner runs from writing one repository at the
// same time: an exclusive advisory lock (flock) on a file, held for the
// whole run, that records the holder's process id for the message the
// second run prints.
//
// The kernel drops a flock when its holder exits, however it exits (SIGKILL
// included), so a crashed run never leaves a stale lock behind. Release
// removes the file, so a finished run leaves nothing in the repository;
// Acquire therefore checks, once it holds a lock, that the path still names
// the file it locked, and starts over if not (a waiter could otherwise hold
// an unlinked file while a newcomer locks a new one of the same name). Only
// a process killed while holding the lock leaves the file, empty of meaning.
package runlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrHeld is wrapped by the error Acquire returns when another process
// holds the lock and the caller does not wait.
var ErrHeld = errors.New("lock held by another process")

// ErrNotAFile is wrapped when the lock file's path is a symlink or not a
// regular file; pinner neither follows nor replaces it.
var ErrNotAFile = errors.New("run lock is not a plain file")

// HeldError says who holds the lock.
type HeldError struct {
	Path string
	// PID is the holder's process id, 0 when it is not known (the holder
	// has not written it yet).
	PID int
}

func (e *HeldError) Error() string {
	who := "pid unknown"
	if e.PID > 0 {
		who = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s is locked by another process (%s)", e.Path, who)
}

func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Lock is a held lock.
type Lock struct {
	f    *os.File
	path string
}

// PollInterval is how often Acquire retries while waiting.
var PollInterval = 100 * time.Millisecond

// Path is the lock file for a repository whose configuration lives in dir:
// inside .git when dir holds a .git directory (out of sight of git status),
// else .pinner.run.lock in dir. A .git that is a symlink (or a worktree's
// .git file) does not count: the lock stays in the repository.
func Path(dir string) string {
	if fi, err := os.Lstat(filepath.Join(dir, ".git")); err == nil && fi.IsDir() {
		return filepath.Join(dir, ".git", "pinner.lock-run")
	}
	return filepath.Join(dir, ".pinner.run.lock")
}

// Acquire takes the exclusive lock on path, creating the file if needed,
// and writes this process's id into it. When another process holds it,
// Acquire returns a *HeldError at once, or with wait polls until the lock
// is free or ctx is done.
func Acquire(ctx context.Context, path string, wait bool) (*Lock, error) {
	for {
		l, retry, err := acquire(ctx, path, wait)
		if !retry {
			return l, err
		}
	}
}

// acquire is one try of Acquire; retry means the file locked was removed
// by its previous holder in the meantime.
func acquire(ctx context.Context, path string, wait bool) (l *Lock, retry bool, err error) {
	// Never through a symlink: truncating the lock file would truncate
	// the link's target, wherever it is.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, false, fmt.Errorf("opening run lock: %w: %s is a symlink; remove it", ErrNotAFile, path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("opening run lock: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, false, fmt.Errorf("opening run lock: %w: %s is not a regular file; remove it", ErrNotAFile, path)
	}
	for {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errWouldBlock) {
			f.Close()
			return nil, false, fmt.Errorf("locking %s: %w", path, err)
		}
		if !wait {
			pid := readPID(f)
			f.Close()
			return nil, false, &HeldError{Path: path, PID: pid}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, false, fmt.Errorf("waiting for %s: %w", path, context.Cause(ctx))
		case <-time.After(PollInterval):
		}
	}
	held, err1 := f.Stat()
	named, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, named) {
		f.Close()
		return nil, true, nil
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, false, nil
}

// Holder reports whether another process holds the lock at path, and its
// pid (0 when unknown), without creating the file: for a run that does not
// lock (a dry run) to explain what changed its files under it. It takes
// the lock for an instant when it is free, so call it only after something
// went wrong.
func Holder(path string) (held bool, pid int) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false, 0
	}
	defer f.Close()
	if err := tryLock(f); err == nil {
		_ = unlock(f)
		return false, 0
	} else if !errors.Is(err, errWouldBlock) {
		return false, 0
	}
	return true, readPID(f)
}

// Release removes the lock file and drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Removed while still locked: a waiter that then gets the lock on
	// this file sees that the path no longer names it and starts over.
	err := os.Remove(l.path)
	if uerr := unlock(l.f); err == nil {
		err = uerr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// readPID reads the holder's pid from the file it locked (a few bytes:
// the file is no bigger).
func readPID(f *os.File) int {
	b := make([]byte, 24)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
