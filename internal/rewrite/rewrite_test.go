package rewrite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

func TestApply(t *testing.T) {
	src := []byte(`{ image = "busybox:1.37"; tag = "1"; }`)
	tests := []struct {
		name  string
		edits []Edit
		want  string
	}{
		{name: "none", want: string(src)},
		{
			name:  "insert",
			edits: []Edit{{Start: 23, End: 23, New: "@sha256:x"}},
			want:  `{ image = "busybox:1.37@sha256:x"; tag = "1"; }`,
		},
		{
			// Given left to right, applied right to left: the second edit's
			// offsets are the original ones.
			name: "several, unsorted, growing and shrinking",
			edits: []Edit{
				{Start: 33, End: 34, New: "1@sha256:y"},
				{Start: 11, End: 18, New: "bb"},
				{Start: 23, End: 23, New: "@sha256:x"},
			},
			want: `{ image = "bb:1.37@sha256:x"; tag = "1@sha256:y"; }`,
		},
		{
			name:  "identical edits count once",
			edits: []Edit{{Start: 0, End: 1, New: "{ "}, {Start: 0, End: 1, New: "{ "}},
			want:  `{  image = "busybox:1.37"; tag = "1"; }`,
		},
		{
			name:  "adjacent",
			edits: []Edit{{Start: 11, End: 18, New: "a"}, {Start: 18, End: 19, New: "@"}},
			want:  `{ image = "a@1.37"; tag = "1"; }`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply(src, tt.edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestApplyOverlap(t *testing.T) {
	src := []byte("0123456789")
	for _, edits := range [][]Edit{
		{{Start: 1, End: 5, New: "x"}, {Start: 4, End: 6, New: "y"}},
		{{Start: 1, End: 5, New: "x"}, {Start: 2, End: 3, New: "y"}},
		{{Start: 3, End: 3, New: "x"}, {Start: 3, End: 3, New: "y"}},
		{{Start: 3, End: 3, New: "x"}, {Start: 3, End: 5, New: "y"}},
	} {
		if _, err := Apply(src, edits); !errors.Is(err, ErrOverlap) {
			t.Errorf("Apply(%v) = %v, want ErrOverlap", edits, err)
		}
	}
	if _, err := Apply(src, []Edit{{Start: 8, End: 11}}); err == nil {
		t.Errorf("an edit past the end must fail")
	}
}

func TestFileRejectsBrokenSyntax(t *testing.T) {
	src := []byte(`{ a = "x"; }`)
	if _, _, err := File("f.nix", src, []Edit{{Start: 7, End: 7, New: `"`}}); err == nil {
		t.Fatal("an edit that breaks the syntax must fail")
	}
	out, f, err := File("f.nix", src, []Edit{{Start: 8, End: 8, New: "y"}})
	if err != nil || string(out) != `{ a = "xy"; }` || f == nil {
		t.Fatalf("File = %q, %v", out, err)
	}
}

func TestOffsetsMap(t *testing.T) {
	edits := []Edit{{Start: 2, End: 4, New: "abcd"}, {Start: 10, End: 10, New: "x"}}
	for _, c := range []struct{ in, want int }{{0, 0}, {4, 6}, {9, 11}, {10, 12}, {11, 14}} {
		if got := NewOffsets(edits).Map(c.in); got != c.want {
			t.Errorf("Map(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestEscape checks that each escaped text, put inside a string of its
// kind, reads back as the text itself.
func TestEscape(t *testing.T) {
	texts := []string{
		`plain`, `a"b`, `back\slash`, `${x}`, `$notinterp`, `a''b`, `'''`, `end'`, "new\nline", `$${x}`, `''${x}`,
	}
	for _, s := range texts {
		for _, kind := range []string{"double", "indented"} {
			var src string
			if kind == "double" {
				src = Quoted(s)
			} else {
				src = "''" + EscapeIndented(s) + "''"
			}
			f, err := syntax.Parse("t.nix", []byte(src))
			if err != nil {
				t.Errorf("%s %q: %s does not parse: %v", kind, s, src, err)
				continue
			}
			str, ok := f.Root.(*syntax.String)
			if !ok {
				t.Errorf("%s %q: %s is a %T", kind, s, src, f.Root)
				continue
			}
			got, ok := str.Literal()
			if !ok || got != s {
				t.Errorf("%s %q: %s reads back as %q (literal %v)", kind, s, src, got, ok)
			}
		}
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.nix")
	if err := os.WriteFile(a, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "sub", "new.md")
	if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll([]Output{{Path: a, Data: []byte("new")}, {Path: b, Data: []byte("md")}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(a)
	fi, _ := os.Stat(a)
	if string(got) != "new" || fi.Mode().Perm() != 0o640 {
		t.Errorf("a.nix = %q mode %v, want new 0640", got, fi.Mode().Perm())
	}
	if got, _ := os.ReadFile(b); string(got) != "md" {
		t.Errorf("new file = %q", got)
	}
	// A file that cannot be prepared leaves the others untouched.
	err := WriteAll([]Output{{Path: a, Data: []byte("newer")}, {Path: filepath.Join(dir, "missing", "x"), Data: nil}})
	if err == nil {
		t.Fatal("writing into a missing directory must fail")
	}
	if got, _ := os.ReadFile(a); string(got) != "new" {
		t.Errorf("a.nix changed to %q although the run failed", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteAllSyncsBeforeRenaming: every temporary file is durable before
// the first rename, so an I/O error at any fsync (here the 4th of 5)
// leaves every file as it was. Syncing each file just before its own
// rename once left three of them replaced.
func TestWriteAllSyncsBeforeRenaming(t *testing.T) {
	dir := t.TempDir()
	var outs []Output
	for i := range 5 {
		p := filepath.Join(dir, fmt.Sprintf("%d.nix", i))
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, Output{Path: p, Data: []byte("new")})
	}
	syncs := 0
	defer func(f func(*os.File) error) { syncFile = f }(syncFile)
	syncFile = func(f *os.File) error {
		syncs++
		for _, o := range outs {
			if b, _ := os.ReadFile(o.Path); string(b) != "old" {
				t.Errorf("fsync %d: %s is already replaced", syncs, o.Path)
			}
		}
		if syncs == 4 {
			return syscall.EIO
		}
		return f.Sync()
	}
	err := WriteAll(outs)
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "3.nix") {
		t.Fatalf("WriteAll = %v, want the I/O error of 3.nix", err)
	}
	for _, o := range outs {
		if b, _ := os.ReadFile(o.Path); string(b) != "old" {
			t.Errorf("%s = %q after a failed run", o.Path, b)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteAllKeepsOwner: run as root (a CI job, a NixOS activation), a
// rewritten 0640 module became root's and unreadable by its owner; it
// keeps owner, group and mode now.
func TestWriteAllKeepsOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	p := filepath.Join(t.TempDir(), "a.nix")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 4321, 4322); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll([]Output{{Path: p, Data: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 4321 || st.Gid != 4322 || fi.Mode().Perm() != 0o640 {
		t.Errorf("after the rewrite: owner %d:%d mode %v, want 4321:4322 0640", st.Uid, st.Gid, fi.Mode().Perm())
	}
}

// TestWriteAllLinks: a symlink's target is written and the link stays; a
// file with another hard link is refused, since the other name would keep
// the old content, and nothing is written.
func TestWriteAllLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "CHANGELOG.md")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink("CHANGELOG.md", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll([]Output{{Path: link, Data: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target = %q, want new", b)
	}

	a, b := filepath.Join(dir, "a.nix"), filepath.Join(dir, "b.nix")
	other := filepath.Join(dir, "other.nix")
	for _, p := range []string{a, other} {
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(a, b); err != nil {
		t.Fatal(err)
	}
	err := WriteAll([]Output{{Path: other, Data: []byte("new")}, {Path: a, Data: []byte("new")}})
	if !errors.Is(err, ErrHardLinked) {
		t.Fatalf("WriteAll of a hard-linked file = %v, want ErrHardLinked", err)
	}
	for _, p := range []string{a, b, other} {
		if got, _ := os.ReadFile(p); string(got) != "old" {
			t.Errorf("%s = %q after the refusal", p, got)
		}
	}
}
