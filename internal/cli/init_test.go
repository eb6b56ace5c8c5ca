package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/scan"
)

// initFlake builds its images with modules-fixtures/oci-images/lib, as the
// fixture images do: plain derivations writing docker-archives, no
// nixpkgs. web is built for two systems; api declares its imageTag only
// for one; notag declares none; broken throws; hello is no image; default
// is web again.
const initFlake = `{
  outputs = { self }:
    let
      lib = system: import ./oci-images/lib { inherit system; };
      # imageName with a registry: lib names images by their short name.
      pushedAs = repository: drv: derivation (drv.drvAttrs // { imageName = repository; });
      layers = name: [
        { "etc/os-release" = "ID=pinner-init-test\n"; }
        { "bin/${name}" = "#!/bin/sh\necho ${name}\n"; }
      ];
      web = system: pushedAs "ghcr.io/pinner-test/web"
        ((lib system).archiveGz { name = "web"; tag = "1.0.0"; layers = layers "web"; });
    in {
      packages.x86_64-linux = {
        web = web "x86_64-linux";
        default = web "x86_64-linux";
        api = pushedAs "ghcr.io/pinner-test/api"
          ((lib "x86_64-linux").archive { name = "api"; tag = "v2"; layers = layers "api"; });
        notag = (pushedAs "ghcr.io/pinner-test/notag"
          ((lib "x86_64-linux").archive { name = "notag"; tag = "unused"; layers = layers "notag"; })) // { imageTag = null; };
        broken = throw "broken on purpose";
        hello = derivation { name = "hello"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; };
      };
      packages.aarch64-linux.web = web "aarch64-linux";
    };
}
`

// initRepo is a homelab-like repository: modules under deploy/ (not
// modules/kubenix), images from flake.nix, committed to git.
func initRepo(t *testing.T) string {
	t.Helper()
	needNix(t)
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	dir := writeFiles(t, map[string]string{
		"flake.nix": initFlake,
		"deploy/cluster/apps/web.nix": `{ ... }: {
  kubernetes.resources.deployments.web.spec.template.spec.containers.web.image = "ghcr.io/pinner-test/web:1.0.0";
  kubernetes.resources.deployments.api.spec.template.spec.containers.api.image = "ghcr.io/pinner-test/api:v2";
}
`,
		"deploy/cluster/jobs/notag.nix": `{ lib, ... }: {
  config = lib.mkIf true {
    kubernetes.resources.cronJobs.notag.spec.jobTemplate.spec.template.spec.containers.n.image = "ghcr.io/pinner-test/notag:old";
  };
}
`,
		"hosts/laptop.nix": "{ services.openssh.enable = true; }\n",
	})
	if err := os.CopyFS(filepath.Join(dir, "oci-images", "lib"), os.DirFS(filepath.Join(testDir, "..", "..", "modules-fixtures", "oci-images", "lib"))); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", "homelab"}} {
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// TestInitThenUpdate: pinner init writes a registry.yaml that loads, names
// the modules and the flake's images, says what it could not decide, and
// with which `pinner update --all --push-to oci:DIR` works as it is: every
// owned site is pinned to what the layout holds. A second init changes
// nothing and exits 2.
func TestInitThenUpdate(t *testing.T) {
	dir := initRepo(t)
	code, out, stderr := run(t, dir, "init")
	if code != 0 {
		t.Fatalf("init: exit %d; stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"wrote registry.yaml\n",
		"modules: deploy/cluster/**/*.nix (2 files)\n",
		"image api: ghcr.io/pinner-test/api, tag v2 (imageTag), linux/amd64, from packages.{system}.api\n",
		"image notag: ghcr.io/pinner-test/notag, tag {git}, linux/amd64, from packages.{system}.notag\n",
		"image web: ghcr.io/pinner-test/web, tag 1.0.0 (imageTag), linux/amd64 linux/arm64, from packages.{system}.web\n",
		"could not decide (see the TODO comments in registry.yaml):\n",
		`  - image notag: the derivation declares no imageTag; wrote tag: "{git}"`,
		"  - packages.x86_64-linux.broken: does not evaluate (it throws, or an assertion fails)\n",
		`  - packages.{system}.default is the image "web" again (packages.{system}.web); left out` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("init's report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hello") {
		t.Errorf("a package that is no image is reported:\n%s", out)
	}

	written, err := os.ReadFile(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatalf("registry.yaml does not load: %v\n%s", err, written)
	}
	type img struct{ Name, Repository, Tag, Flake, Platforms string }
	var got []img
	for _, i := range cfg.Images {
		got = append(got, img{i.Name, i.Repository, i.Tag, i.Build.Flake, strings.Join(i.Platforms, " ")})
	}
	want := []img{
		{"api", "ghcr.io/pinner-test/api", "", ".#packages.{system}.api", "linux/amd64"},
		{"notag", "ghcr.io/pinner-test/notag", "{git}", ".#packages.{system}.notag", "linux/amd64"},
		{"web", "ghcr.io/pinner-test/web", "", ".#packages.{system}.web", "linux/amd64 linux/arm64"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	if !cmp.Equal(cfg.Modules, []string{"deploy/cluster/**/*.nix"}) {
		t.Errorf("modules = %v", cfg.Modules)
	}
	for _, want := range []string{"# TODO: the derivation declares no imageTag", `now "1.0.0"`, "# Every key, its default and its errors:"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("registry.yaml lacks the comment %q:\n%s", want, written)
		}
	}

	// Never replaced.
	code, out, stderr = run(t, dir, "init")
	if code != ExitBadInput || !strings.Contains(stderr, "registry.yaml already exists; pinner init never replaces it") || out != "" {
		t.Errorf("second init: exit %d, stdout %q, stderr %q; want 2 saying so", code, out, stderr)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "registry.yaml")); string(again) != string(written) {
		t.Error("the second init changed registry.yaml")
	}

	// The file works as it is.
	store := filepath.Join(t.TempDir(), "oci-store")
	code, _, stderr = run(t, dir, "update", "--all", "--push-to", "oci:"+store)
	if code != 0 {
		t.Fatalf("update --all: exit %d; stderr:\n%s", code, stderr)
	}
	idx, err := layout.ImageIndexFromPath(store)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	inLayout := map[string]string{}
	for _, m := range im.Manifests {
		inLayout[m.Annotations["org.opencontainers.image.ref.name"]] = m.Digest.String()
	}
	sites, _, err := scan.Files(t.Context(), []string{filepath.Join(dir, "deploy")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	pinned := regexp.MustCompile(`^(ghcr\.io/pinner-test/[a-z]+:[^@]+)@(sha256:[0-9a-f]{64})$`)
	seen := map[string]bool{}
	for _, s := range sites {
		m := pinned.FindStringSubmatch(s.Ref)
		if m == nil {
			t.Errorf("%s:%d: %q is not pinned", s.File, s.Line, s.Ref)
			continue
		}
		if inLayout[m[1]] != m[2] {
			t.Errorf("%s:%d: pinned to %s, the layout has %q for %s", s.File, s.Line, m[2], inLayout[m[1]], m[1])
		}
		seen[strings.SplitN(m[1], ":", 2)[0]] = true
	}
	if len(seen) != 3 {
		t.Errorf("pinned repositories %v, want web, api and notag", seen)
	}
	if code, _, stderr := run(t, dir, "check"); code != 0 {
		t.Errorf("check after update: exit %d\n%s", code, stderr)
	}
}

// TestInitWithoutFlake: no flake.nix, modules/kubenix present: the default
// glob, no images, and a note saying where images come from.
func TestInitWithoutFlake(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"modules/kubenix/apps/a.nix": `{ kubernetes.resources.pods.a.spec.containers.a.image = "busybox:1.37"; }` + "\n",
	})
	code, out, stderr := run(t, dir, "init")
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr)
	}
	if !strings.Contains(out, "modules: modules/kubenix/**/*.nix (1 file)\n") || !strings.Contains(out, "  - no flake.nix: images are found only in") {
		t.Errorf("report:\n%s", out)
	}
	cfg, err := config.Load(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Images) != 0 {
		t.Errorf("images %v, want none", cfg.Images)
	}
	files, err := cfg.ModuleFiles()
	if err != nil || len(files) != 1 {
		t.Errorf("modules expand to %v, %v", files, err)
	}
}

// TestInitBrokenFlake: a flake that does not evaluate is reported with
// Nix's message, and nothing is written.
func TestInitBrokenFlake(t *testing.T) {
	needNix(t)
	dir := writeFiles(t, map[string]string{
		"flake.nix":             "{ outputs = { self }: { packages = ; }; }\n",
		"modules/kubenix/a.nix": "{ }\n",
	})
	code, out, stderr := run(t, dir, "init")
	if code != ExitBadInput || !strings.Contains(stderr, "syntax error") || !strings.Contains(stderr, "nothing was written") || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 with Nix's syntax error", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "registry.yaml")); !os.IsNotExist(err) {
		t.Errorf("registry.yaml was written: %v", err)
	}
}
