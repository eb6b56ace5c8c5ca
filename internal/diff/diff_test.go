package diff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{name: "equal", old: "a\nb\n", new: "a\nb\n", want: ""},
		{
			name: "one line changed in the middle",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			new:  "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n",
			want: "--- a/f.nix\n+++ b/f.nix\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n",
		},
		{
			name: "two hunks",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			new:  "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			want: "--- a/f.nix\n+++ b/f.nix\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			name: "insertion",
			old:  "a\nb\n",
			new:  "a\nx\nb\n",
			want: "--- a/f.nix\n+++ b/f.nix\n@@ -1,2 +1,3 @@\n a\n+x\n b\n",
		},
		{
			name: "no newline at end",
			old:  "a\nb",
			new:  "a\nc",
			want: "--- a/f.nix\n+++ b/f.nix\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified("f.nix", []byte(tt.old), []byte(tt.new))
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestNewFile(t *testing.T) {
	got := Unified("CHANGELOG.md", nil, []byte("# x\n"))
	want := "--- /dev/null\n+++ b/CHANGELOG.md\n@@ -0,0 +1 @@\n+# x\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestPatchApplies checks that patch(1) turns old into new with the diff,
// on inputs with many scattered changes.
func TestPatchApplies(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch not installed")
	}
	var old, new strings.Builder
	for i := range 200 {
		fmt.Fprintf(&old, "line %d\n", i)
		switch {
		case i%17 == 0:
			fmt.Fprintf(&new, "changed %d\n", i)
		case i%23 == 0:
		case i%29 == 0:
			fmt.Fprintf(&new, "line %d\nadded\n", i)
		default:
			fmt.Fprintf(&new, "line %d\n", i)
		}
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "f.nix")
	if err := os.WriteFile(f, []byte(old.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(patch, "-p1", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(Unified("f.nix", []byte(old.String()), []byte(new.String())))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(f)
	if string(got) != new.String() {
		t.Errorf("patched file differs from the new text")
	}
}
