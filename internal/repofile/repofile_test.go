package repofile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadRefuses: what is not a regular file of a sane size is refused
// before it is read: a FIFO (reading would wait for a writer forever),
// /dev/zero (it never ends), a directory, a file over the limit (sparse,
// so the test stays small), and one that grows past it is cut off.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxModule + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, c := range []struct {
		name, path string
		want       error
		msg        string
	}{
		{"FIFO", fifo, ErrNotRegular, "not a regular file (a FIFO)"},
		{"/dev/zero", "/dev/zero", ErrNotRegular, "not a regular file (a character device)"},
		{"directory", dir, ErrNotRegular, "not a regular file (a directory)"},
		{"too large", big, ErrTooLarge, "file too large: 33554433 bytes, the limit is 33554432"},
	} {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Read(c.path, MaxModule)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, c.want) || err.Error() != c.msg {
					t.Errorf("Read = %v, want %q", err, c.msg)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Read hangs")
			}
		})
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.nix")
	if err := os.WriteFile(p, []byte("{ }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(p, 4); err != nil || string(b) != "{ }\n" {
		t.Errorf("Read = %q, %v", b, err)
	}
	if _, err := Read(p, 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read over the limit = %v, want ErrTooLarge", err)
	}
	if link := filepath.Join(dir, "link.nix"); os.Symlink(p, link) == nil {
		if b, err := Read(link, 4); err != nil || string(b) != "{ }\n" {
			t.Errorf("Read through a link = %q, %v", b, err)
		}
	}
	b, found, err := ReadOptional(filepath.Join(dir, "missing"), 4)
	if b != nil || found || err != nil {
		t.Errorf("ReadOptional(missing) = %q, %v, %v", b, found, err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), 4); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Read(missing) = %v", err)
	}
}

// TestOutput: a file about to be written must lie inside the repository,
// also through symlinks of the file or of directories above it (existing
// or not yet), and never inside .git; a command-line path outside the
// repository to begin with is accepted when the caller allows it.
func TestOutput(t *testing.T) {
	root := t.TempDir()
	out := t.TempDir()
	for _, d := range []string{".git", "docs", "..foo"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"CHANGELOG.md": filepath.Join(out, "CHANGELOG.md"), // dangling, outside
		"inner.md":     "docs/x.md",                        // dangling, inside
		"elsewhere":    out,
		"git":          ".git",
		"docs/up.md":   "../../outside.md",
		"docs/loop":    "loop2",
		"docs/loop2":   "loop",
	}
	for link, target := range links {
		if target == "" {
			continue
		}
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		path     string
		outside  bool // mayBeOutside
		want     error
		wantText string
	}{
		{path: "pinner.lock"},
		{path: "docs/new/dir/CHANGELOG.md"},
		{path: "..foo/CHANGELOG.md"},
		{path: "inner.md"},
		{path: "CHANGELOG.md", want: ErrOutside, wantText: "it resolves to " + filepath.Join(out, "CHANGELOG.md") + ", outside the repository"},
		{path: "elsewhere/store", want: ErrOutside},
		{path: "docs/up.md", want: ErrOutside},
		{path: ".git/config", want: ErrInGit},
		{path: "git/config", want: ErrInGit},
		{path: ".git", want: ErrInGit},
		{path: filepath.Join(out, "pr.md"), want: ErrOutside},
		{path: filepath.Join(out, "pr.md"), outside: true},
		{path: "CHANGELOG.md", outside: true, want: ErrOutside},
		{path: ".git/pr.md", outside: true, want: ErrInGit},
	} {
		p := c.path
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		err := Output(root, p, c.outside)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) || !strings.Contains(fmt.Sprint(err), c.wantText) {
			t.Errorf("Output(%s, outside %v) = %v, want %v %q", c.path, c.outside, err, c.want, c.wantText)
		}
	}
	if err := Output(root, filepath.Join(root, "docs/loop"), false); err == nil {
		t.Errorf("a symlink loop: no error")
	}
}

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		p    string
		want bool
	}{{"/r", true}, {"/r/a", true}, {"/r/..foo", true}, {"/r/../x", false}, {"/rx", false}, {"/", false}} {
		if got := Within("/r", filepath.Clean(c.p)); got != c.want {
			t.Errorf("Within(/r, %s) = %v", c.p, got)
		}
	}
	// Within is IsLocal(Rel(root, p)) for every clean absolute pair.
	names := []string{"", "r", "rx", "..foo", "..", "a", "r.d"}
	var paths []string
	for _, a := range names {
		for _, b := range names {
			paths = append(paths, filepath.Clean("/"+a+"/"+b))
		}
	}
	for _, root := range paths {
		for _, p := range paths {
			rel, err := filepath.Rel(root, p)
			want := err == nil && (rel == "." || filepath.IsLocal(rel))
			if got := Within(root, p); got != want {
				t.Errorf("Within(%s, %s) = %v, Rel says %v", root, p, got, want)
			}
		}
	}
}
