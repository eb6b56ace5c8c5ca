package rendered

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzFile: any bytes give images or positioned errors, never a panic or
// an error without a position, and every image is at a position inside
// the file.
func FuzzFile(f *testing.F) {
	for _, p := range []string{"testdata/tree/cert-manager/manifests.yaml", "testdata/tree/apps/crds.yml", "testdata/tree/apps/secret.enc.yaml", "testdata/broken.yaml"} {
		data, err := os.ReadFile(filepath.FromSlash(p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		imgs, errs := File("x.yaml", data)
		for _, e := range errs {
			if e.Line < 1 || e.Column < 1 {
				t.Fatalf("error without a position: %v", e)
			}
		}
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		for _, im := range imgs {
			if im.Line < 1 || im.Line > lines || im.Ref == "" {
				t.Fatalf("image %+v outside the file's %d lines", im, lines)
			}
		}
	})
}
