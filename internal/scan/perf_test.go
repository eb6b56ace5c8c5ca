package scan

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// benchCorpus is the directory the corpus benchmarks scan:
// $PINNER_SCAN_CORPUS, for instance the corpus of
// `go run ./internal/bench/parsecmp -generate /tmp/corpus3k`.
func benchCorpus(b *testing.B) string {
	dir := os.Getenv("PINNER_SCAN_CORPUS")
	if dir == "" {
		b.Skip("PINNER_SCAN_CORPUS not set")
	}
	return dir
}

// BenchmarkCorpusFiles is `pinner scan` without the output: read, parse and scan
// every file of the corpus with two jobs.
func BenchmarkCorpusFiles(b *testing.B) {
	dir := benchCorpus(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Files(ctx, []string{dir}, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCorpusFile is the scan alone, on files parsed beforehand.
func BenchmarkCorpusFile(b *testing.B) {
	names, err := collect([]string{benchCorpus(b)})
	if err != nil {
		b.Fatal(err)
	}
	var files []*syntax.File
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		if f, _ := syntax.Parse(name, src); f != nil {
			files = append(files, f)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			File(f)
		}
	}
}

// TestIsImageAdjacent holds the allocation-free isImageAdjacent to the
// lower-casing rule it replaces.
func TestIsImageAdjacent(t *testing.T) {
	old := func(n string) bool {
		l := strings.ToLower(n)
		i := strings.LastIndex(l, "image")
		return i >= 0 && i+len("image") < len(l)
	}
	for _, n := range []string{"", "image", "Image", "IMAGE", "imagePullPolicy", "imageSelector", "toolboxImage", "imagex", "ximage", "imaGeimage", "imageimage", "imagesimage", "imag", "İmage", "Kimagex", "imageK", "a.image.b", "imageİ", "ımage"} {
		if old(n) != isImageAdjacent(n) {
			t.Errorf("%q: %v != %v", n, old(n), isImageAdjacent(n))
		}
	}
}
