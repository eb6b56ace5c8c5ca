package initcfg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/nixbuild"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindModules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		globs []string
		found []string
	}{
		{"modules/kubenix wins", map[string]string{
			"modules/kubenix/a.nix":    "{ }",
			"k8s/apps/b.nix":           `{ kubernetes.resources.pods.b = { }; }`,
			"modules/kubenix/x/y.nix":  "{ }",
			"modules/kubenix/note.txt": "",
		}, []string{"modules/kubenix/**/*.nix"}, []string{"modules/kubenix/a.nix", "modules/kubenix/x/y.nix"}},
		{"one directory, every style", map[string]string{
			"deploy/k8s/apps/kubenix.nix":  `{ kubernetes.resources.deployments.a.spec = { }; }`,
			"deploy/k8s/apps/nested.nix":   `{ config, lib, ... }: { config = lib.mkIf true { kubernetes = { helm.releases.x = { }; }; }; }`,
			"deploy/k8s/nixidy/app.nix":    `{ applications.web = { namespace = "web"; }; }`,
			"deploy/k8s/nixidy/merged.nix": `{ lib, ... }: { config = lib.mkMerge [ { applications = { db = { }; }; } ]; }`,
			"deploy/k8s/old/api.nix":       `{ kubernetes.api.resources.pods.p = { }; }`,
			"deploy/k8s/lib/helpers.nix":   `{ mkApp = name: { inherit name; }; }`,
			"hosts/laptop.nix":             `{ services.openssh.enable = true; }`,
			"flake.nix":                    `{ outputs = { self }: { }; }`,
			"deploy/.hidden/k.nix":         `{ kubernetes.resources = { }; }`,
			"deploy/k8s/broken.nix":        `{ kubernetes.resources = ; }`,
			"notes/kubernetes.nix":         `{ description = "kubernetes.resources"; }`,
		}, []string{"deploy/k8s/**/*.nix"}, []string{
			"deploy/k8s/apps/kubenix.nix", "deploy/k8s/apps/nested.nix",
			"deploy/k8s/broken.nix", "deploy/k8s/nixidy/app.nix", "deploy/k8s/nixidy/merged.nix", "deploy/k8s/old/api.nix",
		}},
		{"several top-level directories", map[string]string{
			"cluster/apps/a/web.nix": `{ kubernetes.resources.pods.w = { }; }`,
			"cluster/apps/b/db.nix":  `{ kubernetes.resources.pods.d = { }; }`,
			"hosts/server/k3s.nix":   `{ services.k3s.manifests.x.content = { }; }`,
			"k3s.nix":                `{ config.services.k3s = { enable = true; }; }`,
		}, []string{"cluster/apps/**/*.nix", "hosts/server/**/*.nix", "k3s.nix"}, []string{
			"cluster/apps/a/web.nix", "cluster/apps/b/db.nix", "hosts/server/k3s.nix", "k3s.nix",
		}},
		{"none", map[string]string{"default.nix": "{ a = 1; }"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			got, err := FindModules(dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.globs, got.Globs); diff != "" {
				t.Errorf("globs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.found, got.Files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			// The globs must be what registry.yaml takes, and match those
			// files: modules: globs that match nothing are errors.
			if len(tc.globs) > 0 {
				cfg := &config.Config{Dir: dir, Modules: got.Globs}
				files, err := cfg.ModuleFiles()
				if err != nil {
					t.Fatalf("the globs do not expand: %v", err)
				}
				for _, f := range tc.found {
					if !containsFile(files, filepath.Join(dir, filepath.FromSlash(f))) {
						t.Errorf("the globs miss %s (they match %v)", f, files)
					}
				}
			}
		})
	}
}

func containsFile(files []string, f string) bool {
	for _, x := range files {
		if x == f {
			return true
		}
	}
	return false
}

// A file larger than MaxNixFileSize is not read, and counted.
func TestFindModulesSkipsLargeFiles(t *testing.T) {
	big := `{ kubernetes.resources.pods.big = { }; x = "` + strings.Repeat("x", MaxNixFileSize) + `"; }`
	dir := writeTree(t, map[string]string{
		"k8s/a.nix":         `{ kubernetes.resources.pods.a = { }; }`,
		"generated/big.nix": big,
	})
	got, err := FindModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Unreadable != 1 || !cmp.Equal(got.Globs, []string{"k8s/**/*.nix"}) {
		t.Errorf("unreadable %d, globs %v; want 1 and [k8s/**/*.nix]", got.Unreadable, got.Globs)
	}
}

func attr(output, system, name, imageName, tag string) nixbuild.FlakeAttr {
	return nixbuild.FlakeAttr{Output: output, System: system, Name: name, IsImage: true, ImageName: imageName, ImageTag: tag, HasTag: tag != ""}
}

func TestImages(t *testing.T) {
	found := &nixbuild.FlakeImages{
		Sets: []nixbuild.FlakeSet{
			{Output: "packages", System: "aarch64-darwin", Attrs: 3, Skipped: "no OCI platform for this Nix system"},
			{Output: "packages", System: "x86_64-linux", Attrs: 7},
			{Output: "packages", System: "aarch64-linux", Attrs: 1},
			{Output: "legacyPackages", System: "x86_64-linux", Attrs: 90000, Skipped: "too many"},
			{Output: "images", System: "x86_64-linux", Attrs: 2},
		},
		Attrs: []nixbuild.FlakeAttr{
			attr("packages", "aarch64-linux", "web", "ghcr.io/me/web", "1.0"),
			attr("packages", "x86_64-linux", "default", "ghcr.io/me/web", "1.0"),
			attr("packages", "x86_64-linux", "web", "ghcr.io/me/web", "1.0"),
			attr("packages", "x86_64-linux", "notag", "ghcr.io/me/notag", ""),
			attr("packages", "x86_64-linux", "short", "short", "2"),
			attr("packages", "x86_64-linux", "bad-repo", "ghcr.io/Me/Upper", "1"),
			{Output: "packages", System: "x86_64-linux", Name: "broken", Err: "does not evaluate (it throws, or an assertion fails)"},
			{Output: "packages", System: "x86_64-linux", Name: "hello"},
			attr("packages", "x86_64-linux", "bad tag", "ghcr.io/me/badtag", "no/slashes"),
			attr("images", "x86_64-linux", "web", "ghcr.io/me/web-image", "3"),
			attr("images", "x86_64-linux", "api", "ghcr.io/me/api", "4"),
		},
	}
	got, notes := images(found, "{git}")
	want := []Image{
		{Name: "bad-tag", Repository: "ghcr.io/me/badtag", Tag: "{git}", Platforms: []string{"linux/amd64"},
			Flake: `.#packages.{system}."bad tag"`, Attr: "packages.{system}.bad tag", Systems: []string{"x86_64-linux"}, output: "packages",
			Todo: []string{`named "bad-tag": "bad tag" is taken or not a valid image name`, `imageTag "no/slashes" is not a valid tag; wrote tag: "{git}" — choose the tag to push`}},
		{Name: "notag", Repository: "ghcr.io/me/notag", Tag: "{git}", Platforms: []string{"linux/amd64"},
			Flake: ".#packages.{system}.notag", Attr: "packages.{system}.notag", Systems: []string{"x86_64-linux"}, output: "packages",
			Todo: []string{`the derivation declares no imageTag; wrote tag: "{git}" — choose the tag to push`}},
		{Name: "short", Repository: "docker.io/library/short", DeclaredTag: "2", Platforms: []string{"linux/amd64"},
			Flake: ".#packages.{system}.short", Attr: "packages.{system}.short", Systems: []string{"x86_64-linux"}, output: "packages",
			Todo: []string{`imageName "short" names no registry, so it is docker.io/library/short on Docker Hub: put your registry in front (ghcr.io/you/short), here and in imageName`}},
		{Name: "web", Repository: "ghcr.io/me/web", DeclaredTag: "1.0", Platforms: []string{"linux/amd64", "linux/arm64"},
			Flake: ".#packages.{system}.web", Attr: "packages.{system}.web", Systems: []string{"x86_64-linux", "aarch64-linux"}, output: "packages"},
		{Name: "api", Repository: "ghcr.io/me/api", DeclaredTag: "4", Platforms: []string{"linux/amd64"},
			Flake: ".#images.{system}.api", Attr: "images.{system}.api", Systems: []string{"x86_64-linux"}, output: "images"},
		{Name: "images-web", Repository: "ghcr.io/me/web-image", DeclaredTag: "3", Platforms: []string{"linux/amd64"},
			Flake: ".#images.{system}.web", Attr: "images.{system}.web", Systems: []string{"x86_64-linux"}, output: "images",
			Todo: []string{`named "images-web": "web" is taken or not a valid image name`}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Image{})); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	wantNotes := []string{
		"packages.aarch64-darwin: no OCI platform for this Nix system",
		"legacyPackages.x86_64-linux: too many",
		"packages.x86_64-linux.broken: does not evaluate (it throws, or an assertion fails)",
		`packages.{system}.bad-repo: imageName "ghcr.io/Me/Upper" is not a repository pinner can push to`,
		`packages.{system}.default is the image "web" again (packages.{system}.web); left out`,
	}
	if len(notes) != len(wantNotes) {
		t.Fatalf("notes:\n%s", strings.Join(notes, "\n"))
	}
	for i, w := range wantNotes {
		if !strings.HasPrefix(notes[i], w) {
			t.Errorf("note %d = %q, want %q...", i, notes[i], w)
		}
	}
}

// TestRenderLoads: every file Render makes loads with internal/config, with
// the values init chose, whatever it found.
func TestRenderLoads(t *testing.T) {
	found, _ := images(&nixbuild.FlakeImages{Attrs: []nixbuild.FlakeAttr{
		attr("packages", "x86_64-linux", "web", "ghcr.io/me/web", "1.0"),
		attr("packages", "aarch64-linux", "web", "ghcr.io/me/web", "1.0"),
		attr("packages", "x86_64-linux", "notag", "ghcr.io/me/notag", ""),
		attr("packages", "x86_64-linux", "we\"ird", "ghcr.io/me/weird", "1"),
	}}, "{git}")
	for _, tc := range []struct {
		name string
		r    *Result
	}{
		{"images", &Result{Modules: &Modules{Globs: []string{"k8s/**/*.nix", "k3s.nix"}, Files: []string{"k8s/a.nix", "k3s.nix"}}, Flake: true, Images: found}},
		{"nothing found", &Result{Modules: &Modules{}}},
		{"flake without images", &Result{Modules: &Modules{Globs: []string{"modules/kubenix/**/*.nix"}}, Flake: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := Render(tc.r)
			cfg, err := config.Parse("/repo/registry.yaml", data)
			if err != nil {
				t.Fatalf("does not load: %v\n%s", err, data)
			}
			wantGlobs := tc.r.Modules.Globs
			if len(wantGlobs) == 0 {
				wantGlobs = []string{config.DefaultModules}
			}
			if diff := cmp.Diff(wantGlobs, cfg.Modules); diff != "" {
				t.Errorf("modules (-want +got):\n%s", diff)
			}
			if len(cfg.Images) != len(tc.r.Images) {
				t.Fatalf("%d images, want %d:\n%s", len(cfg.Images), len(tc.r.Images), data)
			}
			for i, img := range tc.r.Images {
				c := cfg.Images[i]
				if c.Name != img.Name || c.Repository != img.Repository || c.Tag != img.Tag || c.Build.Flake != img.Flake || !cmp.Equal(c.Platforms, img.Platforms) {
					t.Errorf("image %d loads as %+v, want %+v", i, c, img)
				}
			}
			for i, l := range strings.Split(string(data), "\n") {
				if len(l) > 100 {
					t.Errorf("line %d is %d columns: %q", i+1, len(l), l)
				}
			}
		})
	}
}

func TestWriteNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "registry.yaml")
	if err := Write(p, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("two\n")); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v, want ErrExists", err)
	}
	b, _ := os.ReadFile(p)
	ents, _ := os.ReadDir(dir)
	if string(b) != "one\n" || len(ents) != 1 {
		t.Errorf("content %q, %d entries: the file was replaced or a temporary file was left", b, len(ents))
	}
}

func TestDiscoverWithoutFlakeOrNix(t *testing.T) {
	dir := writeTree(t, map[string]string{"modules/kubenix/a.nix": "{ }"})
	r, err := Discover(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Flake || len(r.Images) != 0 || len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "no flake.nix") {
		t.Errorf("result %+v", r)
	}
	writeTree(t, nil)
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte("{ outputs = _: { }; }"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Discover(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Flake || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "nix is not installed") {
		t.Errorf("without nix: %+v", r.Notes)
	}
}
