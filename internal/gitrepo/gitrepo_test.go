package gitrepo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func nix(p string) bool { return strings.HasSuffix(p, ".nix") }

// TestStaged: the staged content, not the working tree's, of every file
// the index adds or changes: new, modified, renamed (under the new name),
// copied; not deleted ones, not symlinks; names with spaces and newlines
// intact; only below the directory asked about.
func TestStaged(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	// Before the first commit: everything staged is new.
	write(t, dir, "m/a.nix", "a1")
	git(t, dir, "add", "-A")
	got, err := Staged(context.Background(), dir, nix, 1<<20)
	if err != nil || len(got) != 1 || got[0].Path != "m/a.nix" || string(got[0].Data) != "a1" {
		t.Fatalf("before the first commit: %v, %v", got, err)
	}
	write(t, dir, "m/old.nix", "old")
	write(t, dir, "m/gone.nix", "gone")
	write(t, dir, "m/same.nix", "same")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "one")

	write(t, dir, "m/a.nix", "a2 staged")
	git(t, dir, "add", "m/a.nix")
	write(t, dir, "m/a.nix", "a3 in the working tree only")
	git(t, dir, "mv", "m/old.nix", "m/renamed.nix")
	git(t, dir, "rm", "-q", "m/gone.nix")
	write(t, dir, "m/copy.nix", "same")
	write(t, dir, "m/odd name\nwith newline.nix", "odd")
	write(t, dir, "m/notes.txt", "not nix")
	if err := os.Symlink("a.nix", filepath.Join(dir, "m", "link.nix")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "other/x.nix", "x")
	git(t, dir, "add", "m/copy.nix", "m/odd name\nwith newline.nix", "m/notes.txt", "m/link.nix", "other/x.nix")

	got, err = Staged(context.Background(), filepath.Join(dir, "m"), nix, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []Blob{
		{Path: "a.nix", Data: []byte("a2 staged")},
		{Path: "copy.nix", Data: []byte("same")},
		{Path: "odd name\nwith newline.nix", Data: []byte("odd")},
		{Path: "renamed.nix", Data: []byte("old")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Staged (-want +got):\n%s", diff)
	}

	if _, err := Staged(context.Background(), dir, nix, 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
	if b, ok, err := Indexed(context.Background(), dir, "m/a.nix", 1<<20); err != nil || !ok || string(b) != "a2 staged" {
		t.Errorf("Indexed = %q, %v, %v", b, ok, err)
	}
	if _, ok, err := Indexed(context.Background(), dir, "m/none.nix", 1<<20); err != nil || ok {
		t.Errorf("Indexed of a file the index lacks = %v, %v", ok, err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(t.TempDir()))
	if _, err := Staged(context.Background(), t.TempDir(), nix, 1<<20); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: %v, want ErrNotRepository", err)
	}
}
