package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// header is prepended by image(): an image that is valid on its own, so a
// case only adds the lines it is about. Added lines start at line 6.
const header = `version: 1
images:
  x:
    repository: ghcr.io/a/x
    build: {flake: ".#x"}
`

func image(lines string) string { return header + lines }

func TestLoadDesignExample(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "design.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path:      filepath.Join("testdata", "design.yaml"),
		Dir:       "testdata",
		Version:   1,
		Modules:   []string{"modules/kubenix/**/*.nix"},
		Changelog: "CHANGELOG.md",
		Lock:      "pinner.lock",
		Style:     StyleAuto,
		Mirrors:   map[string]string{"ghcr.io": "http://127.0.0.1:5000/ghcr.io"},
		Ignore:    []string{"docker.io/library/busybox"},
		Images: []Image{{
			Name:       "backup-toolbox",
			Repository: "ghcr.io/josevictorferreira/backup-toolbox",
			Tag:        "1.0.0",
			ExtraTags:  []string{"latest"},
			Status:     StatusActive,
			Priority:   PriorityHigh,
			Platforms:  []string{"linux/amd64", "linux/arm64"},
			Build:      Build{Flake: ".#images.{system}.backup-toolbox"},
			Notes:      "General-purpose backup utilities (rclone, mc, zstd, psql)",
		}},
		modulePos: []pos{{2, 11}},
	}
	if diff := cmp.Diff(want, c, cmp.AllowUnexported(Config{}, pos{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Parse("repo/registry.yaml", []byte("version: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default("repo")
	want.Path = "repo/registry.yaml"
	if diff := cmp.Diff(want, c, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := c.ChangelogPath(); got != filepath.Join("repo", "CHANGELOG.md") {
		t.Errorf("ChangelogPath() = %q", got)
	}
	if got := c.LockPath(); got != filepath.Join("repo", "pinner.lock") {
		t.Errorf("LockPath() = %q", got)
	}
	if dir, ok := c.OCILayoutDir(); ok {
		t.Errorf("OCILayoutDir() = %q, true; want false", dir)
	}

	c, err = Parse("registry.yaml", []byte(image("")))
	if err != nil {
		t.Fatal(err)
	}
	wantImg := Image{
		Name:       "x",
		Repository: "ghcr.io/a/x",
		Status:     StatusActive,
		Priority:   PriorityMedium,
		Platforms:  []string{"linux/amd64"},
		Build:      Build{Flake: ".#x"},
	}
	if diff := cmp.Diff([]Image{wantImg}, c.Images); diff != "" {
		t.Errorf("image defaults (-want +got):\n%s", diff)
	}
}

func TestLoadValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		get  func(*Config) any
		want any
	}{
		{"modules", "version: 1\nmodules: [a/*.nix, 'b/**/*.nix']\n",
			func(c *Config) any { return c.Modules }, []string{"a/*.nix", "b/**/*.nix"}},
		{"modules null keeps default", "version: 1\nmodules:\n",
			func(c *Config) any { return c.Modules }, []string{DefaultModules}},
		{"modules block list", "version: 1\nmodules:\n  - a/*.nix\n  - b/{c,d}/*.nix\n",
			func(c *Config) any { return c.Modules }, []string{"a/*.nix", "b/{c,d}/*.nix"}},
		{"exclude", "version: 1\nexclude: [a/old/**]\n",
			func(c *Config) any { return c.Exclude }, []string{"a/old/**"}},
		{"changelog off", "version: 1\nchangelog: \"\"\n",
			func(c *Config) any { return [2]string{c.Changelog, c.ChangelogPath()} }, [2]string{"", ""}},
		{"changelog cleaned", "version: 1\nchangelog: ./docs/../CHANGES.md\n",
			func(c *Config) any { return c.Changelog }, "CHANGES.md"},
		{"lock off", "version: 1\nlock: ''\n",
			func(c *Config) any { return [2]string{c.Lock, c.LockPath()} }, [2]string{"", ""}},
		{"lock", "version: 1\nlock: state/pinner.lock\n",
			func(c *Config) any { return c.Lock }, "state/pinner.lock"},
		{"pull functions", "version: 1\npull_function: nix/./pull.nix\nnix2container_pull_function: nix/n2c-pull.nix\n",
			func(c *Config) any { return [2]string{c.PullFunction, c.Nix2containerPullFunction} }, [2]string{"nix/pull.nix", "nix/n2c-pull.nix"}},
		{"style", "version: 1\nstyle: digest-key\n",
			func(c *Config) any { return c.Style }, StyleDigestKey},
		{"style tag-suffix", "version: 1\nstyle: tag-suffix\n",
			func(c *Config) any { return c.Style }, StyleTagSuffix},
		{"push_to empty", "version: 1\npush_to: \"\"\n",
			func(c *Config) any { return c.PushTo }, ""},
		{"push_to oci", "version: 1\npush_to: oci:out/layout/\n",
			func(c *Config) any { dir, ok := c.OCILayoutDir(); return []any{c.PushTo, dir, ok} },
			[]any{"oci:out/layout", filepath.Join(".", "out", "layout"), true}},
		{"mirrors", "version: 1\nmirrors:\n  GHCR.io: https://mirror.example/ghcr/\n  index.docker.io: http://127.0.0.1:5000/hub\n  localhost:5001: http://[::1]:5000\n",
			func(c *Config) any { return c.Mirrors }, map[string]string{
				"ghcr.io":        "https://mirror.example/ghcr",
				"docker.io":      "http://127.0.0.1:5000/hub",
				"localhost:5001": "http://[::1]:5000",
			}},
		{"insecure", "version: 1\ninsecure: [registry.lan:5000, Foo.Example]\n",
			func(c *Config) any { return c.Insecure }, []string{"registry.lan:5000", "foo.example"}},
		{"ignore normalised", "version: 1\nignore: [busybox, ghcr.io/a/b, library/nginx, index.docker.io/grafana/grafana]\n",
			func(c *Config) any { return c.Ignore },
			[]string{"docker.io/library/busybox", "ghcr.io/a/b", "docker.io/library/nginx", "docker.io/grafana/grafana"}},
		{"images keep file order", "version: 1\nimages:\n  zeta: {repository: z, build: {flake: .#z}}\n  alpha: {repository: a, build: {flake: .#a}}\n  mid: {repository: m, build: {flake: .#m}}\n",
			func(c *Config) any {
				var names []string
				for _, img := range c.Images {
					names = append(names, img.Name)
				}
				return names
			}, []string{"zeta", "alpha", "mid"}},
		{"numeric tag keeps its text", image("    tag: 1.10\n"),
			func(c *Config) any { return c.Images[0].Tag }, "1.10"},
		{"git tag", image("    tag: \"{git}\"\n    extra_tags: [latest, \"main-{git}\"]\n"),
			func(c *Config) any { return []any{c.Images[0].Tag, c.Images[0].ExtraTags} },
			[]any{"{git}", []string{"latest", "main-{git}"}}},
		{"status and priority", image("    status: deprecated\n    priority: low\n"),
			func(c *Config) any { return []any{c.Images[0].Status, c.Images[0].Priority} },
			[]any{StatusDeprecated, PriorityLow}},
		{"platforms", image("    platforms: [linux/arm64/v8, linux/arm/v7, linux/amd64/v3, windows/amd64]\n"),
			func(c *Config) any { return c.Images[0].Platforms },
			[]string{"linux/arm64/v8", "linux/arm/v7", "linux/amd64/v3", "windows/amd64"}},
		{"platforms through an alias", "version: 1\nimages:\n  a:\n    repository: a\n    platforms: &both [linux/amd64, linux/arm64]\n    build: {flake: .#a}\n  b:\n    repository: b\n    platforms: *both\n    build: {flake: .#b}\n",
			func(c *Config) any { return c.Images[1].Platforms }, []string{"linux/amd64", "linux/arm64"}},
		{"build file", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: oci-images/x.nix\n      attr: image\n      args: {name: x, version: 2, debug: true}\n",
			func(c *Config) any { return c.Images[0].Build },
			Build{File: "oci-images/x.nix", Attr: "image", Args: map[string]string{"name": "x", "version": "2", "debug": "true"}}},
		{"alias means the latest anchor before it", "version: 1\nlock: &x a.lock\nchangelog: *x\nstyle: &x digest-key\nimages:\n  a: {repository: ghcr.io/a, notes: *x, build: {flake: .#a}}\n",
			func(c *Config) any { return []string{c.Lock, c.Changelog, string(c.Style), c.Images[0].Notes} },
			[]string{"a.lock", "a.lock", "digest-key", "digest-key"}},
		{"keys keep their text", "version: 1\nimages:\n  1.10: {repository: a, build: {flake: .#a}}\n  010:\n    repository: b\n    build: {file: b.nix, args: {v: 010, w: 1.10, x: True}}\n",
			func(c *Config) any { return []any{c.Images[0].Name, c.Images[1].Name, c.Images[1].Build.Args} },
			[]any{"1.10", "010", map[string]string{"v": "010", "w": "1.10", "x": "True"}}},
		{"notes block scalar", image("    notes: |\n      line one\n      line two\n"),
			func(c *Config) any { return c.Images[0].Notes }, "line one\nline two\n"},
		{"repository with port and docker hub short name", "version: 1\nimages:\n  a: {repository: 'localhost:5000/a/b', build: {flake: .#a}}\n  b: {repository: busybox, build: {flake: .#b}}\n",
			func(c *Config) any { return []string{c.Images[0].Repository, c.Images[1].Repository} },
			[]string{"localhost:5000/a/b", "busybox"}},
		{"comments and document marker", "# pinner\n---\nversion: 1 # schema\n",
			func(c *Config) any { return c.Version }, 1},
		{"YAML directive", "%YAML 1.2\n---\nversion: 1\n",
			func(c *Config) any { return c.Version }, 1},
		{"images null", "version: 1\nimages:\n",
			func(c *Config) any { return len(c.Images) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("registry.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatalf("Parse:\n%s\n%v", tc.yaml, err)
			}
			if diff := cmp.Diff(tc.want, tc.get(c)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// nestedBlocks is n block mappings, each indented below the last.
func nestedBlocks(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i+1) + "a:\n")
	}
	return b.String()
}

func TestLoadInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string // "line:column: message substring", in order
	}{
		// The file as a whole.
		{"empty file", "", []string{`1:1: missing "version: 1"`}},
		{"only comments", "# nothing\n", []string{`1:1: missing "version: 1"`}},
		{"null document", "---\n~\n", []string{`1:1: missing "version: 1" (the file is empty)`}},
		{"missing version", "modules: [a]\n", []string{`1:1: missing "version: 1"`}},
		{"not a mapping", "- a\n- b\n", []string{`1:1: the config must be a mapping, not a list`}},
		{"two documents", "version: 1\n---\nversion: 1\n", []string{`3:1: a second YAML document`}},
		{"syntax error", "version: 1\nimages: [\n", []string{`2:9: invalid YAML`}},
		{"anchor of no name", "&&0\n", []string{`1:2: invalid YAML: unexpected scalar value type`}},
		{"bad indentation", "version: 1\nmodules:\n  - a\n - b\n", []string{`4:2: invalid YAML`}},
		// A quote or bracket left open makes the parser fail lines later,
		// at the next quote; the error names where it opened.
		{"unclosed double quote", "version: 1\nimages:\n  - name: x\n    repository: \"ghcr.io/x/y\n    tag: v1\n    build:\n      flake: \".#x\"\n",
			[]string{`4:17: invalid YAML: the string quoted here is not closed on its line (it runs on to line 7); add the closing "`}},
		{"unclosed single quote", "version: 1\nimages:\n  - name: 'x\n    repository: ghcr.io/x/y\n    tag: 'v1'\n",
			[]string{`3:11: invalid YAML: the string quoted here is not closed on its line (it runs on to line 5); add the closing '`}},
		{"unclosed flow mapping", "version: 1\nmirrors: {docker.io: http://x\nlock: a\n",
			[]string{`2:10: invalid YAML: the { opened here is never closed; add the }`}},
		{"unknown key", "version: 1\nmodulez: [a]\n", []string{`2:1: unknown key "modulez" (did you mean "modules"?)`}},
		{"not UTF-8", "version: 1\n# caf\xe9\n", []string{`2:6: invalid UTF-8 byte 0xe9`}},
		{"not UTF-8 in a value", "version: 1\nignore: [\"\xff\"]\n", []string{`2:11: invalid UTF-8 byte 0xff`}},
		{"unknown key folded", "version: 1\npushTo: oci:x\n", []string{`2:1: unknown key "pushTo" (did you mean "push_to"?)`}},
		{"unknown key no suggestion", "version: 1\ncolour: red\n", []string{`2:1: unknown key "colour"`}},
		{"duplicate key", "version: 1\nlock: a\nlock: b\n", []string{`3:1: duplicate key "lock" (first defined at 2:1)`}},
		{"tag", "version: !!int 1\n", []string{`1:10: YAML tags such as "!!int" are not supported`}},
		{"merge key", "version: 1\nmirrors:\n  <<: {a: b}\n", []string{`3:3: merge keys (<<) are not supported`}},
		{"unknown alias", "version: 1\nmodules: *nope\n", []string{`2:10: unknown alias "nope"`}},
		{"syntax before refusals", "version: !!int 1\nmodules: [*nope\n", []string{`2:10: invalid YAML`}},
		{"refusals at once", "version: !!int 1\nmodules: *nope\nmirrors: {<<: *nope}\n", []string{`1:10: YAML tags`, `2:10: unknown alias "nope"`, `3:11: merge keys (<<) are not supported`, `3:15: unknown alias "nope"`}},
		{"self alias", "version: 1\nmodules: &a [*a]\n", []string{`2:14: each entry of modules must be a string, not a list`}},

		// The shape, bounded before the YAML parser sees the file
		// (50,000 nested lists took it 17 s).
		{"nested lists", "version: 1\nmodules: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n", []string{`2:41: nested more than 32 levels deep; the configuration is at most 5`}},
		{"nested mappings", "version: 1\nmirrors: " + strings.Repeat("{a: ", 40) + "b" + strings.Repeat("}", 40) + "\n", []string{`2:134: nested more than 32 levels deep`}},
		{"nested blocks", "version: 1\nmirrors:\n" + nestedBlocks(40), []string{`34:33: nested more than 32 levels deep`}},
		{"alias bomb", "version: 1\nx: &a [y]\nmodules: [" + strings.Repeat("*a, ", 300) + "*a]\n", []string{`3:1035: more than 256 aliases; the configuration needs none`}},
		{"too large", "version: 1\nnotes: |\n" + strings.Repeat("  xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 1<<15) + "\n", []string{`file too large: 1048597 bytes, the limit is 1048576`}},

		// version
		{"version 2", "version: 2\n", []string{`1:10: unsupported version 2: this pinner reads version 1`}},
		{"version string", "version: \"1\"\n", []string{`1:10: version must be the integer 1, not a string`}},
		{"version float", "version: 1.0\n", []string{`1:10: version must be the integer 1, not a number`}},

		// modules and exclude
		{"modules empty", "version: 1\nmodules: []\n", []string{`2:10: modules is empty`}},
		{"modules string", "version: 1\nmodules: a/*.nix\n", []string{`2:10: modules must be a list, not a string (write ["a/*.nix"])`}},
		{"modules mapping", "version: 1\nmodules: {a: b}\n", []string{`2:10: modules must be a list, not a mapping`}},
		{"modules absolute", "version: 1\nmodules: [/etc/*.nix]\n", []string{`2:11: invalid modules glob "/etc/*.nix": glob must be relative`}},
		{"modules dotdot", "version: 1\nmodules: [a, ../b/*.nix]\n", []string{`2:14: invalid modules glob "../b/*.nix": glob must not contain ".."`}},
		{"modules dotdot in braces", "version: 1\nmodules:\n  - \"{a,..}/*.nix\"\n", []string{`3:5: invalid modules glob "{a,..}/*.nix": glob must not contain ".."`}},
		{"modules malformed", "version: 1\nmodules: [\"a/[b\"]\n", []string{`2:11: invalid modules glob "a/[b": malformed glob`}},
		{"modules null entry", "version: 1\nmodules: [a, null]\n", []string{`2:14: an entry of modules is null`}},
		{"modules duplicate", "version: 1\nmodules: [a, b, a]\n", []string{`2:17: modules lists "a" twice (first at 2:11)`}},
		{"modules entry not string", "version: 1\nmodules: [[a]]\n", []string{`2:11: each entry of modules must be a string, not a list`}},
		{"exclude dotdot", "version: 1\nexclude:\n  - a/../../b\n", []string{`3:5: invalid exclude glob "a/../../b"`}},

		// changelog and lock
		{"changelog null", "version: 1\nchangelog:\n", []string{`2:12: changelog is null: write changelog: "" to turn it off`}},
		{"changelog escapes", "version: 1\nchangelog: docs/../../CHANGELOG.md\n", []string{`2:12: invalid changelog "docs/../../CHANGELOG.md": path leaves the directory`}},
		{"changelog absolute", "version: 1\nchangelog: /tmp/CHANGELOG.md\n", []string{`2:12: invalid changelog "/tmp/CHANGELOG.md": path must be relative`}},
		{"changelog list", "version: 1\nchangelog: [a]\n", []string{`2:12: changelog must be a string, not a list`}},
		{"nix2container pull function escapes", "version: 1\nnix2container_pull_function: ../n2c.nix\n", []string{`2:30: invalid nix2container_pull_function "../n2c.nix": path leaves the directory`}},
		{"nix2container pull function list", "version: 1\nnix2container_pull_function: [a]\n", []string{`2:30: nix2container_pull_function must be a string, not a list`}},
		{"pull function absolute", "version: 1\npull_function: /etc/pull.nix\n", []string{`2:16: invalid pull_function "/etc/pull.nix": path must be relative`}},
		{"lock dot", "version: 1\nlock: .\n", []string{`2:7: invalid lock ".": path names the directory`}},
		{"lock null", "version: 1\nlock: ~\n", []string{`2:7: lock is null`}},

		// style and push_to
		{"style", "version: 1\nstyle: digest\n", []string{`2:8: invalid style "digest": want auto, tag-suffix or digest-key`}},
		{"style suggestion", "version: 1\nstyle: tag_suffix\n", []string{`(did you mean "tag-suffix"?)`}},
		{"push_to registry", "version: 1\npush_to: ghcr.io/me\n", []string{`2:10: invalid push_to "ghcr.io/me": want "" (each image's repository) or "oci:DIR"`}},
		{"push_to absolute", "version: 1\npush_to: oci:/srv/oci\n", []string{`2:10: invalid push_to "oci:/srv/oci": path must be relative`}},
		{"push_to escapes", "version: 1\npush_to: \"oci:..\"\n", []string{`2:10: invalid push_to "oci:..": path leaves the directory`}},
		{"push_to empty dir", "version: 1\npush_to: \"oci:\"\n", []string{`2:10: invalid push_to "oci:": path is empty`}},

		// mirrors and insecure
		{"mirror scheme", "version: 1\nmirrors:\n  ghcr.io: ftp://m/x\n", []string{`3:12: invalid mirror URL "ftp://m/x" for "ghcr.io": want an http:// or https:// URL`}},
		{"mirror no host", "version: 1\nmirrors:\n  ghcr.io: \"http:///x\"\n", []string{`3:12: invalid mirror URL "http:///x" for "ghcr.io": URL has no host`}},
		{"mirror bare host", "version: 1\nmirrors:\n  ghcr.io: 127.0.0.1:5000\n", []string{`3:12: invalid mirror URL "127.0.0.1:5000"`}},
		{"mirror credentials", "version: 1\nmirrors:\n  ghcr.io: https://u:p@m.example\n", []string{`URL must not carry credentials`}},
		{"mirror query", "version: 1\nmirrors:\n  ghcr.io: https://m.example/?a=b\n", []string{`URL must not have a query or fragment`}},
		{"mirror null", "version: 1\nmirrors:\n  ghcr.io:\n", []string{`3:12: mirror for "ghcr.io" has no URL`}},
		{"mirror bad host", "version: 1\nmirrors:\n  https://ghcr.io: https://m.example\n", []string{`3:3: invalid mirror host "https://ghcr.io"`}},
		{"mirror docker hub twice", "version: 1\nmirrors:\n  docker.io: http://a\n  index.docker.io: http://b\n", []string{`4:3: duplicate mirror for "docker.io": "index.docker.io" is the same registry (first defined at 3:3)`}},
		{"mirror duplicate key", "version: 1\nmirrors:\n  ghcr.io: http://a\n  ghcr.io: http://b\n", []string{`4:3: duplicate mirror for "ghcr.io" (first defined at 3:3)`}},
		{"mirrors list", "version: 1\nmirrors: [a]\n", []string{`2:10: mirrors must be a mapping, not a list`}},
		{"insecure scheme", "version: 1\ninsecure: [\"http://r.lan\"]\n", []string{`2:12: invalid insecure host "http://r.lan"`}},
		{"insecure path", "version: 1\ninsecure: [r.lan/x]\n", []string{`2:12: invalid insecure host "r.lan/x"`}},

		// ignore
		{"ignore tag", "version: 1\nignore: [busybox:1.37]\n", []string{`2:10: invalid ignore repository "busybox:1.37": a repository has no tag (write "index.docker.io/library/busybox"`}},
		{"ignore digest", "version: 1\nignore: [\"ghcr.io/a/b@sha256:" + strings.Repeat("a", 64) + "\"]\n", []string{`2:10: invalid ignore repository "ghcr.io/a/b@sha256:` + strings.Repeat("a", 64) + `": a repository has no digest (write "ghcr.io/a/b")`}},
		{"ignore upper case", "version: 1\nignore: [ghcr.io/A/b]\n", []string{`2:10: invalid ignore repository "ghcr.io/A/b": repository can only contain`}},
		{"ignore same repository", "version: 1\nignore: [busybox, docker.io/library/busybox]\n", []string{`2:19: ignore lists "docker.io/library/busybox" twice: "busybox" at 2:10 is the same repository`}},

		// images
		{"images list", "version: 1\nimages: [a]\n", []string{`2:9: images must be a mapping, not a list`}},
		{"image name", "version: 1\nimages:\n  \"a/b\": {repository: a, build: {flake: .#a}}\n", []string{`3:3: invalid image name "a/b"`}},
		{"duplicate image", image("  x:\n    repository: ghcr.io/a/y\n"), []string{`6:3: duplicate image "x" (first defined at 3:3)`}},
		{"image not mapping", "version: 1\nimages:\n  x: ghcr.io/a/x\n", []string{`3:6: image "x" must be a mapping, not a string`}},
		{"image null", "version: 1\nimages:\n  x:\n", []string{`3:3: missing "repository" in image "x"`, `3:3: missing "build" in image "x"`}},
		{"image missing repository", "version: 1\nimages:\n  x:\n    build: {flake: .#x}\n", []string{`3:3: missing "repository" in image "x"`}},
		{"image empty repository", "version: 1\nimages:\n  x:\n    repository: \"\"\n    build: {flake: .#x}\n", []string{`3:3: missing "repository" in image "x"`}},
		{"image unknown key", image("    platfrom: [linux/arm64]\n"), []string{`6:5: unknown key "platfrom" in image "x" (did you mean "platforms"?)`}},
		{"image duplicate key", image("    repository: ghcr.io/a/z\n"), []string{`6:5: duplicate key "repository" in image "x" (first defined at 4:5)`}},
		{"duplicate tag", image("    tag: v1\n    tag: -v2\n"), []string{`7:5: duplicate key "tag" in image "x" (first defined at 6:5)`}},
		{"repository tag", "version: 1\nimages:\n  x:\n    repository: ghcr.io/a/x:1.0\n    build: {flake: .#x}\n", []string{`4:17: invalid repository "ghcr.io/a/x:1.0" in image "x": a repository has no tag (write "ghcr.io/a/x" and put "1.0" under tag)`}},
		{"repository digest", "version: 1\nimages:\n  x:\n    repository: ghcr.io/a/x@sha256:" + strings.Repeat("0", 64) + "\n    build: {flake: .#x}\n", []string{`4:17: invalid repository`}},
		{"repository invalid", "version: 1\nimages:\n  x:\n    repository: \"ghcr.io/a b\"\n    build: {flake: .#x}\n", []string{`4:17: invalid repository "ghcr.io/a b" in image "x"`}},
		{"repository mapping", "version: 1\nimages:\n  x:\n    repository: {a: b}\n    build: {flake: .#x}\n", []string{`4:17: repository in image "x" must be a string, not a mapping`}},
		{"tag invalid", image("    tag: -rc1\n"), []string{`6:10: invalid tag "-rc1" in image "x": a tag is 1 to 128`}},
		{"tag placeholder", image("    tag: \"{commit}\"\n"), []string{`6:10: invalid tag "{commit}" in image "x": unknown placeholder "{commit}"`}},
		{"tag too long", image("    tag: " + strings.Repeat("a", 129) + "\n"), []string{`6:10: invalid tag`}},
		{"extra_tags string", image("    extra_tags: latest\n"), []string{`6:17: extra_tags in image "x" must be a list, not a string (write ["latest"])`}},
		{"extra_tags invalid", image("    extra_tags: [ok, \"not ok\"]\n"), []string{`6:22: invalid extra tag "not ok" in image "x"`}},
		{"extra_tags repeat tag", image("    tag: v1\n    extra_tags: [latest, v1]\n"), []string{`7:26: extra tag "v1" in image "x" repeats tag (at 6:10)`}},
		{"extra_tags duplicate", image("    extra_tags: [a, a]\n"), []string{`6:21: extra_tags in image "x" lists "a" twice (first at 6:18)`}},
		{"status", image("    status: actve\n"), []string{`6:13: invalid status "actve" in image "x": want active, disabled or deprecated (did you mean "active"?)`}},
		{"status bool", image("    status: true\n"), []string{`6:13: invalid status "true" in image "x"`}},
		{"priority", image("    priority: hihg\n"), []string{`6:15: invalid priority "hihg" in image "x": want high, medium or low (did you mean "high"?)`}},
		{"platforms empty", image("    platforms: []\n"), []string{`6:16: platforms in image "x" is empty`}},
		{"platform no arch", image("    platforms: [linux]\n"), []string{`6:17: invalid platform "linux" in image "x": want os/arch[/variant]`}},
		{"platform too many parts", image("    platforms: [linux/arm/v7/x]\n"), []string{`6:17: invalid platform "linux/arm/v7/x" in image "x": want os/arch[/variant]`}},
		{"platform os version", image("    platforms: [\"windows/amd64:10.0.17763\"]\n"), []string{`os versions are not supported`}},
		{"platform os", image("    platforms: [linx/amd64]\n"), []string{`6:17: invalid platform "linx/amd64" in image "x": unknown operating system "linx" (did you mean "linux"?)`}},
		{"platform arch alias", image("    platforms: [linux/aarch64]\n"), []string{`6:17: invalid platform "linux/aarch64" in image "x": unknown architecture "aarch64" (did you mean "linux/arm64"?)`}},
		{"platform nix system", image("    platforms: [x86_64-linux]\n"), []string{`6:17: invalid platform "x86_64-linux" in image "x": want os/arch[/variant] (did you mean "linux/amd64"?)`}},
		{"platform wrong pair", image("    platforms: [darwin/386]\n"), []string{`6:17: invalid platform "darwin/386" in image "x": architecture "386" does not exist for "darwin"`}},
		{"platform variant", image("    platforms: [linux/arm/v9]\n"), []string{`6:17: invalid platform "linux/arm/v9" in image "x": unknown variant "v9" for "arm" (want v5, v6, v7 or v8)`}},
		{"platform no variants", image("    platforms: [linux/s390x/v1]\n"), []string{`architecture "s390x" has no variants`}},
		{"platform duplicate", image("    platforms: [linux/amd64, linux/amd64]\n"), []string{`6:30: platforms in image "x" lists "linux/amd64" twice (first at 6:17)`}},
		{"platform upper case", image("    platforms: [Linux/amd64]\n"), []string{`unknown operating system "Linux" (did you mean "linux"?)`}},
		{"notes list", image("    notes: [a]\n"), []string{`6:12: notes in image "x" must be a string, not a list`}},

		// build
		{"build missing", "version: 1\nimages:\n  x:\n    repository: x\n", []string{`3:3: missing "build" in image "x" (set build.flake or build.file)`}},
		{"build null", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n", []string{`5:12: build of image "x" is empty`}},
		{"build string", "version: 1\nimages:\n  x:\n    repository: x\n    build: .#x\n", []string{`5:12: build of image "x" must be a mapping, not a string`}},
		{"build neither", "version: 1\nimages:\n  x:\n    repository: x\n    build: {attr: a}\n", []string{`5:5: build of image "x" needs flake or file`}},
		{"build both", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      flake: .#x\n      file: x.nix\n", []string{`7:7: build of image "x" sets both flake and file; keep one`}},
		{"build unknown key", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      flakes: .#x\n", []string{`5:5: build of image "x" needs flake or file`, `6:7: unknown key "flakes" in build of image "x" (did you mean "flake"?)`}},
		{"build flake placeholder", "version: 1\nimages:\n  x:\n    repository: x\n    build: {flake: \".#images.{arch}.x\"}\n", []string{`5:20: unknown placeholder "{arch}" in flake in build of image "x"`}},
		{"build flake empty", "version: 1\nimages:\n  x:\n    repository: x\n    build: {flake: \"\"}\n", []string{`5:20: flake in build of image "x" is empty`}},
		{"build flake attr", "version: 1\nimages:\n  x:\n    repository: x\n    build: {flake: .#x, attr: a}\n", []string{`5:25: attr in build of image "x" applies to file only`}},
		{"build flake args", "version: 1\nimages:\n  x:\n    repository: x\n    build: {flake: .#x, args: {a: b}}\n", []string{`5:25: args in build of image "x" apply to file only`}},
		{"build file escapes", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: ../other/x.nix\n", []string{`6:13: invalid file "../other/x.nix" in build of image "x": path leaves the directory`}},
		{"build file absolute", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: /nix/x.nix\n", []string{`6:13: invalid file "/nix/x.nix" in build of image "x": path must be relative`}},
		{"build args list", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: x.nix\n      args: [a]\n", []string{`7:13: args in build of image "x" must be a mapping, not a list`}},
		{"build args name", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: x.nix\n      args: {\"a b\": c}\n", []string{`7:14: invalid argument name "a b" in build of image "x"`}},
		{"build args null", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: x.nix\n      args:\n        a:\n", []string{`8:12: argument "a" in build of image "x" is null`}},
		{"build args duplicate", "version: 1\nimages:\n  x:\n    repository: x\n    build:\n      file: x.nix\n      args: {a: b, a: c}\n", []string{`7:20: duplicate argument "a" in build of image "x" (first defined at 7:14)`}},

		// Every unknown key and every value of the wrong kind, not only
		// the first the decoder meets.
		{"unknown keys at once", "version: 1\nzz: 1\nyy: 2\nimages:\n  a: {repository: a, build: {flake: .#a}, xx: 3}\n", []string{
			`2:1: unknown key "zz"`, `3:1: unknown key "yy"`, `5:43: unknown key "xx" in image "a"`,
		}},
		{"wrong kinds at once", "version: 1\nmodules: a\nimages:\n  a: {repository: [a], build: {flake: .#a}}\n  b: x\n  c: {repository: c, build: {flake: .#c}, platforms: {a: b}}\n", []string{
			`2:10: modules must be a list, not a string`, `4:19: repository in image "a" must be a string, not a list`,
			`5:6: image "b" must be a mapping, not a string`, `6:54: platforms in image "c" must be a list, not a mapping`,
		}},
		// Several errors are reported at once, in file order.
		{"several", "version: 3\nstyle: x\nimages:\n  x:\n    repository: X\n", []string{
			`1:10: unsupported version 3`,
			`2:8: invalid style "x"`,
			`4:3: missing "build" in image "x"`,
			`5:17: invalid repository "X"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("registry.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse:\n%s\nsucceeded; want errors %q", tc.yaml, tc.want)
			}
			got := asList(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("Parse:\n%s\ngot %d errors:\n%v\nwant %d: %q", tc.yaml, len(got), err, len(tc.want), tc.want)
			}
			for i, e := range got {
				if e.File != "registry.yaml" {
					t.Errorf("error %d: File = %q, want registry.yaml", i, e.File)
				}
				pos, msg, hasPos := strings.Cut(tc.want[i], ": ")
				if !hasPos || !strings.Contains(pos, ":") {
					pos, msg = "", tc.want[i]
				}
				if gotPos := fmt.Sprintf("%d:%d", e.Line, e.Column); pos != "" && gotPos != pos {
					t.Errorf("error %d at %s, want %s: %v", i, gotPos, pos, e)
				}
				if !strings.Contains(e.Msg, msg) {
					t.Errorf("error %d: %q does not contain %q", i, e.Msg, msg)
				}
			}
		})
	}
}

func asList(t *testing.T, err error) ErrorList {
	t.Helper()
	var list ErrorList
	if errors.As(err, &list) {
		return list
	}
	var e *Error
	if errors.As(err, &e) {
		return ErrorList{e}
	}
	t.Fatalf("error %v (%T) is neither ErrorList nor *Error", err, err)
	return nil
}

// TestErrorFormat pins the exact text the command line prints.
func TestErrorFormat(t *testing.T) {
	yaml := `version: 1
images:
  backup-toolbox:
    repository: ghcr.io/josevictorferreira/backup-toolbox
    tag: 1.0.0
    extra_tags: [latest]
    status: active
    priority: high
    build:
      flake: ".#images.{system}.backup-toolbox"
    notes: General-purpose backup utilities
    platfrom: [linux/amd64]
`
	_, err := Parse("registry.yaml", []byte(yaml))
	want := `registry.yaml:12:5: unknown key "platfrom" in image "backup-toolbox" (did you mean "platforms"?)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 12 || e.Column != 5 {
		t.Errorf("errors.As(*Error) = %+v", e)
	}

	_, err = Parse("registry.yaml", []byte("version: 2\nlock: /x\n"))
	want = "registry.yaml:1:10: unsupported version 2: this pinner reads version 1\n" +
		`registry.yaml:2:7: invalid lock "/x": path must be relative to the directory of the config file`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "f.yaml", Line: 3, Column: 4, Msg: "m"}, "f.yaml:3:4: m"},
		{Error{File: "f.yaml", Msg: "m"}, "f.yaml: m"},
		{Error{Msg: "m"}, "m"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	if err := (ErrorList{}).Err(); err != nil {
		t.Errorf("empty ErrorList.Err() = %v", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "registry.yaml")
	_, err := Load(missing)
	var e *Error
	if !errors.As(err, &e) || e.File != missing || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v; want *Error wrapping fs.ErrNotExist", err)
	}
	if want := missing + ": reading config: no such file or directory"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}

	path := filepath.Join(dir, "registry.yaml")
	if err := os.WriteFile(path, []byte("version: 1\nlock: out/pinner.lock\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir || c.Path != path {
		t.Errorf("Dir, Path = %q, %q; want %q, %q", c.Dir, c.Path, dir, path)
	}
	if got, want := c.LockPath(), filepath.Join(dir, "out", "pinner.lock"); got != want {
		t.Errorf("LockPath() = %q, want %q", got, want)
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "design.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("registry.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecode pins what the checks rely on the decoder for: it resolves
// aliases to the anchored value, passes null as nothing, and a value of
// the wrong kind does not keep it from decoding the others.
func TestDecode(t *testing.T) {
	yaml := "version: 1\nimages:\n  a: {repository: &r ghcr.io/a, platforms: &p [linux/amd64, ~]}\n  b: str\n  c: {repository: *r, platforms: *p, tag: 1.10, build: {args: {x: *p}}}\n  d:\n"
	tokens, _, err := lex("registry.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	_, root, err := decode("registry.yaml", tokens, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := func(n ast.Node) string {
		if n == nil {
			return "nil"
		}
		p := n.GetToken().Position
		return fmt.Sprintf("%s %d:%d", n.Type(), p.Line, p.Column)
	}
	imgs := root.v.Images.v
	a, c := imgs["a"].v, imgs["c"].v
	got := []string{
		text(root.v.Version.n),
		text(imgs["b"].n),
		text(c.Repository.n),
		text(c.Platforms.n),
		text(c.Platforms.v[0].n),
		text(c.Platforms.v[1].n),
		text(c.Tag.n),
		text(c.Build.v.Args.v["x"].n),
		text(a.Tag.n),
		text(imgs["d"].n),
	}
	want := []string{
		"Integer 1:10",
		"String 4:6",
		"String 3:22",
		"Sequence 3:47",
		"String 3:48",
		"nil",
		"Float 5:43",
		"Sequence 3:47",
		"nil",
		"nil",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded nodes (-want +got):\n%s", diff)
	}
	if _, ok := imgs["d"]; !ok || len(imgs) != 4 {
		t.Errorf("images = %v; want a, b, c and d", slices.Collect(maps.Keys(imgs)))
	}
}
