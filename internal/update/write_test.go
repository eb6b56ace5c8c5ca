package update

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTestFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRemoveStaleTemps: renameio's pending files beside the modules, the
// changelog and the lock go; anything else stays.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mods := filepath.Join(dir, "modules")
	stale := []string{"modules/.a.nix123456789", "modules/.b.nix9", ".CHANGELOG.md4242", ".pinner.lock77"}
	kept := []string{"modules/a.nix", "modules/.a.nix.bak", "modules/.hidden", "modules/.a.nix12x", "pinner.lock", "CHANGELOG.md", ".CHANGELOG.md.orig", "README.md7"}
	for _, f := range append(append([]string{}, stale...), kept...) {
		writeTestFile(t, filepath.Join(dir, filepath.FromSlash(f)), "x")
	}
	removeStaleTemps([]string{mods}, []string{filepath.Join(dir, "CHANGELOG.md"), filepath.Join(dir, "pinner.lock")})
	for _, f := range stale {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); !os.IsNotExist(err) {
			t.Errorf("%s was not removed", f)
		}
	}
	for _, f := range kept {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Errorf("%s was removed", f)
		}
	}
}
