package runlock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// flock locks belong to an open file, so two Acquires in one process
// exclude each other like two processes do.
func TestAcquireExcludes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.lock")
	l, err := Acquire(context.Background(), path, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q, want this pid", b)
	}
	_, err = Acquire(context.Background(), path, false)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHeld) || he.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v, want a HeldError naming pid %d", err, os.Getpid())
	}
	if !strings.Contains(err.Error(), "(pid "+strconv.Itoa(os.Getpid())+")") {
		t.Errorf("message %q lacks the pid", err)
	}

	// A waiter gets the lock once it is released, and gives up on ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		l2, err := Acquire(context.Background(), path, true)
		if err == nil {
			err = l2.Release()
		}
		got <- err
	}()
	time.Sleep(2 * PollInterval)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter never got the lock")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the lock file is left after release: %v", err)
	}
}

// Many goroutines taking and releasing the lock (the file removed at each
// release) never hold it at once.
func TestAcquireRemovedFileRace(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.lock")
	var holders, peak, total atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				l, err := Acquire(context.Background(), path, true)
				if err != nil {
					t.Error(err)
					return
				}
				n := holders.Add(1)
				if n > peak.Load() {
					peak.Store(n)
				}
				total.Add(1)
				time.Sleep(50 * time.Microsecond)
				holders.Add(-1)
				if err := l.Release(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != 1 || total.Load() != 160 {
		t.Errorf("peak holders %d (want 1), %d acquisitions (want 160)", p, total.Load())
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if got := Path(dir); got != filepath.Join(dir, ".pinner.run.lock") {
		t.Errorf("without .git: %s", got)
	}
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	if got := Path(dir); got != filepath.Join(dir, ".git", "pinner.lock-run") {
		t.Errorf("with .git: %s", got)
	}
}

// TestAcquireRefusesSymlink: a lock file that is a symlink is neither
// followed nor replaced: taking the lock used to truncate the link's
// target, wherever it was. A FIFO there is refused without waiting.
func TestAcquireRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "run.lock")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(context.Background(), path, false); !errors.Is(err, ErrNotAFile) {
		t.Errorf("Acquire through a symlink = %v, want ErrNotAFile", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me\n" {
		t.Errorf("the link's target now holds %q", b)
	}
	fifo := filepath.Join(dir, "fifo.lock")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(context.Background(), fifo, false); !errors.Is(err, ErrNotAFile) {
		t.Errorf("Acquire of a FIFO = %v, want ErrNotAFile", err)
	}
	// A .git that is a symlink does not get the lock.
	repo := t.TempDir()
	if err := os.Symlink(t.TempDir(), filepath.Join(repo, ".git")); err != nil {
		t.Fatal(err)
	}
	if p := Path(repo); p != filepath.Join(repo, ".pinner.run.lock") {
		t.Errorf("Path with .git a symlink = %s", p)
	}
}
