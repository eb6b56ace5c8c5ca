package syntax

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestParseModeSameTree checks that ParseMode's savings change nothing:
// the tree and the errors are those of Parse, on every .nix file the
// repository holds and on prefixes of them (for the error paths).
func TestParseModeSameTree(t *testing.T) {
	root := repoRoot(t)
	var files []string
	for _, dir := range []string{"testdata", filepath.Join(root, "testdata"), filepath.Join(root, "modules-fixtures")} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".nix") {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Skip("no .nix files")
	}
	// One arena for all files, reset before each: a node left over from an
	// earlier tree would show.
	var arena Arena
	check := func(name string, src []byte) {
		want, werr := Parse(name, src)
		got, gerr := ParseMode(name, append([]byte(nil), src...), SkipTokens|ShareSource)
		if got.Tokens != nil {
			t.Fatalf("%s: SkipTokens kept the tokens", name)
		}
		if !reflect.DeepEqual(got.Root, want.Root) {
			t.Fatalf("%s: trees differ:\n got %s\nwant %s", name, Dump(got.Root), Dump(want.Root))
		}
		if !reflect.DeepEqual(gerr, werr) {
			t.Fatalf("%s: errors differ:\n got %v\nwant %v", name, gerr, werr)
		}
		arena.Reset()
		got, gerr = arena.Parse(name, append([]byte(nil), src...), SkipTokens|ShareSource)
		if !reflect.DeepEqual(got.Root, want.Root) || !reflect.DeepEqual(gerr, werr) {
			t.Fatalf("%s: tree or errors differ in an Arena:\n got %s %v\nwant %s %v", name, Dump(got.Root), gerr, Dump(want.Root), werr)
		}
		if toks := Lex(src); !reflect.DeepEqual(toks, want.Tokens) && len(want.Tokens)+len(toks) > 0 {
			t.Fatalf("%s: Lex differs from File.Tokens", name)
		}
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		check(name, src)
		for _, n := range []int{len(src) / 3, len(src) / 2, len(src) * 7 / 8} {
			check(name+"[:n]", src[:n])
		}
	}
}

// BenchmarkParseMode is BenchmarkParse as `pinner scan` parses: no tokens
// kept, the tree aliasing the source.
func BenchmarkParseMode(b *testing.B) {
	src, err := os.ReadFile("testdata/bench/kubenix-module.nix")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMode("kubenix-module.nix", src, SkipTokens|ShareSource); err != nil {
			b.Fatal(err)
		}
	}
}
