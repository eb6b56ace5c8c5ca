package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/n2cimage"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// pinner build --push --json on each "machine", then update
// --from-builds --no-build --json: the JSON each prints, and the pin.
func TestBuildPushThenAssemble(t *testing.T) {
	bin, recipe := n2cimage.Tool(t)
	t.Setenv("NIX_CONFIG", "substituters =")
	host, _ := registry.StartInProcess(t)
	nixFile, err := os.ReadFile(filepath.Join("..", "nix2container", "testdata", "images.nix"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{
		"images.nix":               string(nixFile),
		"modules/kubenix/apps.nix": "{ app.image = \"ghcr.io/acme/app:1.0\"; }\n",
		"registry.yaml": fmt.Sprintf("version: 1\nchangelog: \"\"\nmirrors:\n  ghcr.io: http://%s/ghcr.io\nimages:\n  app:\n    repository: ghcr.io/acme/app\n    tag: \"1.0\"\n"+
			"    platforms: [linux/amd64, linux/arm64]\n    source: https://example.com/acme/app\n    build:\n      file: images.nix\n      attr: app\n      args: {n2c: %q, bin: %q}\n", host, recipe, bin),
	})
	var files []string
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		code, out, errs := run(t, dir, "-q", "build", "app", "--platform", p, "--push", "--json")
		if code != 0 {
			t.Fatalf("build --push %s: exit %d\n%s", p, code, errs)
		}
		var got []map[string]string
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 ||
			got[0]["name"] != "app" || got[0]["repository"] != "ghcr.io/acme/app" || got[0]["platform"] != p || !strings.HasPrefix(got[0]["digest"], "sha256:") || len(got[0]) != 4 {
			t.Fatalf("build --push --json printed %s (%v)", out, err)
		}
		f := filepath.Join(t.TempDir(), "build.json")
		os.WriteFile(f, []byte(out), 0o644)
		files = append(files, f)
	}
	mod, _ := os.ReadFile(filepath.Join(dir, "modules", "kubenix", "apps.nix"))
	if strings.Contains(string(mod), "@sha256:") {
		t.Fatalf("build changed the module: %s", mod)
	}
	code, out, errs := run(t, dir, "-q", "update", "--all", "--no-build", "--from-builds", files[0], "--from-builds", files[1], "--json")
	if code != 0 {
		t.Fatalf("update --from-builds: exit %d\n%s", code, errs)
	}
	var pushed []struct {
		Name, Repository, Digest string
		Tags                     []string
		Platforms                []struct{ Platform, Digest string }
	}
	if err := json.Unmarshal([]byte(out), &pushed); err != nil || len(pushed) != 1 || len(pushed[0].Platforms) != 2 ||
		strings.Join(pushed[0].Tags, ",") != "1.0" || pushed[0].Repository != "ghcr.io/acme/app" {
		t.Fatalf("update --json printed %s (%v)", out, err)
	}
	mod, _ = os.ReadFile(filepath.Join(dir, "modules", "kubenix", "apps.nix"))
	if !strings.Contains(string(mod), "ghcr.io/acme/app:1.0@"+pushed[0].Digest) {
		t.Errorf("module not pinned to %s: %s", pushed[0].Digest, mod)
	}
	// Nothing new to push: the JSON is an empty list.
	code, out, errs = run(t, dir, "-q", "update", "--all", "--no-build", "--from-builds", files[0], "--from-builds", files[1], "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("second update: exit %d, printed %q\n%s", code, out, errs)
	}
}
