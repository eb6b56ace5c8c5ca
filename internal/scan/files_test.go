package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"apps/b.nix":         `{ image = "busybox:1"; }`,
		"apps/_disabled.nix": "let bb = \"busybox:2\"; in {\n  image = bb;\n  text = ''\n    image: ${bb}\n  '';\n}",
		"apps/broken.nix":    `{ image = "busybox:3"; `,
		"apps/notes.txt":     `image = "busybox:4";`,
		".git/x.nix":         `{ image = "busybox:5"; }`,
		"backup/a.nix":       `{ x = { repository = "ghcr.io/x/y"; tag = "6"; }; }`,
	})
	sites, errs, err := Files(context.Background(), []string{dir, filepath.Join(dir, "apps", "b.nix")}, 3)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		File, Ref string
		Form      Form
	}
	var got []row
	for _, s := range sites {
		rel, _ := filepath.Rel(dir, s.File)
		got = append(got, row{filepath.ToSlash(rel), s.Ref, s.Form})
	}
	want := []row{
		{"apps/_disabled.nix", "busybox:2", FormString},
		{"apps/_disabled.nix", "busybox:2", FormDerived},
		{"apps/b.nix", "busybox:1", FormString},
		{"apps/broken.nix", "busybox:3", FormString},
		{"backup/a.nix", "ghcr.io/x/y:6", FormAttrSet},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sites (-want +got):\n%s", diff)
	}
	if sites[1].DerivedFrom != &sites[0] {
		t.Errorf("DerivedFrom does not point at the merged origin site")
	}
	if len(errs) == 0 || filepath.Base(errs[0].File) != "broken.nix" {
		t.Errorf("errs = %v, want the error of broken.nix", errs)
	}
}

func TestFilesMissing(t *testing.T) {
	_, _, err := Files(context.Background(), []string{filepath.Join(t.TempDir(), "nope")}, 1)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}

func TestFilesCanceled(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.nix": `{ image = "busybox:1"; }`})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Files(ctx, []string{dir}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
