package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixturesDir is the kubenix fixture tree shared with the other packages.
const fixturesDir = "../../modules-fixtures"

func fixtureFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(fixturesDir, "modules"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".nix") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the fixtures: %v", err)
	}
	return files
}

func scanFixture(t testing.TB, path string) (rel string, sites []Site) {
	t.Helper()
	rel, err := filepath.Rel(fixturesDir, path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := syntax.Parse(filepath.ToSlash(rel), src)
	if err != nil {
		t.Fatalf("parsing %s: %v", rel, err)
	}
	return filepath.ToSlash(rel), File(f)
}

func TestGolden(t *testing.T) {
	for _, path := range fixtureFiles(t) {
		rel, sites := scanFixture(t, path)
		t.Run(rel, func(t *testing.T) {
			if sites == nil {
				sites = []Site{}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(sites); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", filepath.FromSlash(rel)+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func BenchmarkScanFixtures(b *testing.B) {
	type file struct {
		name string
		src  []byte
	}
	var files []file
	var size int64
	for _, p := range fixtureFiles(b) {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, file{p, src})
		size += int64(len(src))
	}
	// Parsing is the parser's benchmark; this one measures the scanner.
	parsed := make([]*syntax.File, len(files))
	for i, f := range files {
		parsed[i], _ = syntax.Parse(f.name, f.src)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range parsed {
			File(f)
		}
	}
}

func BenchmarkFiles(b *testing.B) {
	var size int64
	for _, p := range fixtureFiles(b) {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		size += st.Size()
	}
	b.SetBytes(size)
	for b.Loop() {
		if _, _, err := Files(context.Background(), []string{fixturesDir}, 4); err != nil {
			b.Fatal(err)
		}
	}
}
