package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzLoad holds that Parse never panics, and that whatever it accepts
// satisfies the invariants the rest of pinner relies on.
func FuzzLoad(f *testing.F) {
	design, err := os.ReadFile(filepath.Join("testdata", "design.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(design),
		"",
		"version: 1\n",
		image("    platforms: [linux/arm64/v8]\n    tag: \"{git}\"\n"),
		"version: 1\nimages:\n  x: &a {repository: a, build: {file: x.nix, args: {a: *a}}}\n",
		"version: 1\nmodules: &m [*m]\n",
		"version: 1\nmirrors:\n  docker.io: http://127.0.0.1:5000/hub\n",
		"version: 1\n---\n- a\n",
		"version: !!str 1\n<<: {a: b}\n? [a]\n: b\n",
		"version: 1\nimages: {x: {repository: x, build: {flake: .#x}}, x: {}}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("registry.yaml", data)
		if err != nil {
			for _, e := range asList(t, err) {
				if e.Line < 1 || e.Column < 1 || e.Msg == "" {
					t.Fatalf("error without position or message: %+v", e)
				}
			}
			return
		}
		if c.Version != 1 || len(c.Modules) == 0 || len(c.modulePos) > len(c.Modules) {
			t.Fatalf("accepted a bad config: %+v", c)
		}
		for _, g := range append(slices.Clone(c.Modules), c.Exclude...) {
			if err := checkGlob(g); err != nil {
				t.Fatalf("accepted glob %q: %v", g, err)
			}
		}
		seen := map[string]bool{}
		for _, img := range c.Images {
			if seen[img.Name] {
				t.Fatalf("image %q twice", img.Name)
			}
			seen[img.Name] = true
			if _, err := checkRepository(img.Repository); err != nil {
				t.Fatalf("image %q: accepted repository %q: %v", img.Name, img.Repository, err)
			}
			if (img.Build.Flake == "") == (img.Build.File == "") {
				t.Fatalf("image %q: build %+v has not exactly one of flake and file", img.Name, img.Build)
			}
			if len(img.Platforms) == 0 {
				t.Fatalf("image %q: no platforms", img.Name)
			}
			for _, p := range img.Platforms {
				if err := checkPlatform(p); err != nil {
					t.Fatalf("image %q: accepted platform %q: %v", img.Name, p, err)
				}
			}
		}
		for host := range c.Mirrors {
			if _, ok := c.MirrorFor(host); !ok {
				t.Fatalf("MirrorFor(%q) finds nothing", host)
			}
		}
	})
}
