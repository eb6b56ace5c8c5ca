package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImageLookup(t *testing.T) {
	c, err := Parse("registry.yaml", []byte("version: 1\nimages:\n  a: {repository: a, build: {flake: .#a}}\n  b: {repository: b, build: {flake: .#b}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	img, ok := c.Image("b")
	if !ok || img.Repository != "b" {
		t.Fatalf("Image(b) = %+v, %v", img, ok)
	}
	img.Notes = "changed"
	if c.Images[1].Notes != "changed" {
		t.Error("Image returns a copy; want a pointer into Images")
	}
	if img, ok := c.Image("c"); ok || img != nil {
		t.Errorf("Image(c) = %+v, %v; want nil, false", img, ok)
	}
}

func TestIgnored(t *testing.T) {
	c, err := Parse("registry.yaml", []byte("version: 1\nignore: [docker.io/library/busybox, ghcr.io/a/b, localhost:5000/x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		repo string
		want bool
	}{
		{"busybox", true},
		{"library/busybox", true},
		{"docker.io/library/busybox", true},
		{"index.docker.io/library/busybox", true},
		{"busybox:1.37", true},
		{"busybox@sha256:" + strings.Repeat("a", 64), true},
		{"ghcr.io/a/b", true},
		{"ghcr.io/a/b:v1", true},
		{"localhost:5000/x", true},
		{"ghcr.io/a/c", false},
		{"ghcr.io/a", false},
		{"quay.io/library/busybox", false},
		{"other/busybox", false},
		{"not a reference", false},
		{"", false},
	} {
		if got := c.Ignored(tc.repo); got != tc.want {
			t.Errorf("Ignored(%q) = %v, want %v", tc.repo, got, tc.want)
		}
	}
	// A Config built by hand compares the same way.
	hand := &Config{Ignore: []string{"busybox"}}
	if !hand.Ignored("docker.io/library/busybox:latest") {
		t.Error("hand-built Ignore: busybox does not match docker.io/library/busybox")
	}
}

func TestMirrorFor(t *testing.T) {
	c, err := Parse("registry.yaml", []byte(`version: 1
mirrors:
  ghcr.io: http://127.0.0.1:5000/ghcr.io/
  docker.io: http://127.0.0.1:5000/hub
  Registry.Lan:5000: https://mirror.lan
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		want string // "" for no mirror
	}{
		{"ghcr.io", "http://127.0.0.1:5000/ghcr.io"},
		{"GHCR.IO", "http://127.0.0.1:5000/ghcr.io"},
		{"docker.io", "http://127.0.0.1:5000/hub"},
		{"index.docker.io", "http://127.0.0.1:5000/hub"},
		{"registry-1.docker.io", "http://127.0.0.1:5000/hub"},
		{"registry.lan:5000", "https://mirror.lan"},
		{"registry.lan", ""},
		{"quay.io", ""},
	} {
		u, ok := c.MirrorFor(tc.host)
		got := ""
		if ok {
			got = u.String()
		}
		if got != tc.want {
			t.Errorf("MirrorFor(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
	u, _ := c.MirrorFor("ghcr.io")
	u.Path = "/changed"
	if again, _ := c.MirrorFor("ghcr.io"); again.Path != "/ghcr.io" {
		t.Errorf("MirrorFor shares its URL: path now %q", again.Path)
	}
	if u, ok := Default(".").MirrorFor("ghcr.io"); ok {
		t.Errorf("Default: MirrorFor = %v, true", u)
	}
}

func TestFind(t *testing.T) {
	withFile := t.TempDir()
	write(t, withFile, "registry.yaml", "version: 1\n")
	write(t, withFile, "other.yaml", "version: 1\n")
	without := t.TempDir()
	withDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(withDir, "registry.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(withFile, "other.yaml")

	for _, tc := range []struct {
		name      string
		explicit  string
		dir       string
		wantPath  string
		wantFound bool
		wantErr   string
	}{
		{"found in dir", "", withFile, filepath.Join(withFile, "registry.yaml"), true, ""},
		{"absent", "", without, "", false, ""},
		{"directory in the way", "", withDir, "", false, "config file is a directory"},
		{"explicit relative to dir", "other.yaml", withFile, abs, true, ""},
		{"explicit absolute", abs, without, abs, true, ""},
		{"explicit missing", "nope.yaml", withFile, "", false, "nope.yaml: config file does not exist"},
		{"explicit directory", "registry.yaml", withDir, "", false, "registry.yaml: config file is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, found, err := Find(tc.explicit, tc.dir)
			if tc.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Find = %q, %v, %v; want *Error containing %q", path, found, err, tc.wantErr)
				}
				return
			}
			if err != nil || path != tc.wantPath || found != tc.wantFound {
				t.Errorf("Find = %q, %v, %v; want %q, %v, nil", path, found, err, tc.wantPath, tc.wantFound)
			}
		})
	}
	_, _, err := Find("nope.yaml", without)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Find(missing) = %v; want it to wrap fs.ErrNotExist", err)
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatalf("creating symlink: %v", err)
	}
}

// moduleTree is a repository with a few modules, an excluded directory and
// files that are not modules.
func moduleTree(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{
		"modules/kubenix/apps/a.nix",
		"modules/kubenix/apps/b.nix",
		"modules/kubenix/infra/c.nix",
		"modules/kubenix/legacy/old.nix",
		"modules/kubenix/legacy/deeper/older.nix",
		"modules/kubenix/README.md",
		"modules/other/d.nix",
		"hosts/e.nix",
	} {
		write(t, dir, f, "{ }\n")
	}
	if err := os.MkdirAll(filepath.Join(dir, "modules/kubenix/dir.nix"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func loadIn(t *testing.T, dir, yaml string) *Config {
	t.Helper()
	path := filepath.Join(dir, "registry.yaml")
	write(t, dir, "registry.yaml", yaml)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rel(t *testing.T, dir string, files []string) []string {
	t.Helper()
	out := make([]string, len(files))
	for i, f := range files {
		r, err := filepath.Rel(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = filepath.ToSlash(r)
	}
	return out
}

func TestModuleFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string
	}{
		{"default glob", "version: 1\n", []string{
			"modules/kubenix/apps/a.nix",
			"modules/kubenix/apps/b.nix",
			"modules/kubenix/infra/c.nix",
			"modules/kubenix/legacy/deeper/older.nix",
			"modules/kubenix/legacy/old.nix",
		}},
		{"exclude directory and glob", "version: 1\nexclude: [modules/kubenix/legacy, \"**/b.nix\"]\n", []string{
			"modules/kubenix/apps/a.nix",
			"modules/kubenix/infra/c.nix",
		}},
		{"exclude with **", "version: 1\nexclude: [modules/kubenix/legacy/**]\n", []string{
			"modules/kubenix/apps/a.nix",
			"modules/kubenix/apps/b.nix",
			"modules/kubenix/infra/c.nix",
		}},
		{"several globs, overlapping, sorted", "version: 1\nmodules: [hosts/*.nix, \"modules/**/{a,d}.nix\", modules/kubenix/apps/*.nix]\n", []string{
			"hosts/e.nix",
			"modules/kubenix/apps/a.nix",
			"modules/kubenix/apps/b.nix",
			"modules/other/d.nix",
		}},
		{"plain path", "version: 1\nmodules: [modules/other/d.nix]\n", []string{"modules/other/d.nix"}},
		{"globs are cleaned", "version: 1\nmodules: [./modules//other/*.nix]\nexclude: [./hosts/]\n", []string{"modules/other/d.nix"}},
		{"everything excluded is not an error", "version: 1\nmodules: [hosts/*.nix]\nexclude: [hosts]\n", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := moduleTree(t)
			files, err := loadIn(t, dir, tc.yaml).ModuleFiles()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rel(t, dir, files)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, f := range files {
				if !strings.HasPrefix(f, dir) {
					t.Errorf("%q is not joined to Dir %q", f, dir)
				}
			}
		})
	}
}

func TestModuleFilesNoMatch(t *testing.T) {
	dir := moduleTree(t)
	c := loadIn(t, dir, "version: 1\nmodules:\n  - modules/kubenix/**/*.nix\n  - charts/*.nix\n  - modules/kubenix/*.nix\n  - modules/*\n")
	_, err := c.ModuleFiles()
	got := asList(t, err)
	path := filepath.Join(dir, "registry.yaml")
	want := []string{
		path + `:4:5: modules glob "charts/*.nix" matches no files in ` + dir,
		path + `:5:5: modules glob "modules/kubenix/*.nix" matches no files in ` + dir + `, only directories`,
		path + `:6:5: modules glob "modules/*" matches no files in ` + dir + `, only directories (write "modules/*/**/*.nix" for the Nix files below them)`,
	}
	var msgs []string
	for _, e := range got {
		msgs = append(msgs, e.Error())
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Without a config file the default glob has no position.
	_, err = Default(t.TempDir()).ModuleFiles()
	if err == nil || !strings.Contains(err.Error(), `the default modules glob "modules/kubenix/**/*.nix" matches no files`) {
		t.Errorf("Default: ModuleFiles error = %v", err)
	}
	if got := asList(t, err); got[0].Line != 0 || got[0].File != "" {
		t.Errorf("Default: error has position %s:%d", got[0].File, got[0].Line)
	}
}

func TestModuleFilesSymlinks(t *testing.T) {
	outside := t.TempDir()
	write(t, outside, "secret.nix", "{ }\n")
	write(t, outside, "lib/x.nix", "{ }\n")

	dir := moduleTree(t)
	// A link to a file inside the repository is followed and kept.
	symlink(t, "../apps/a.nix", filepath.Join(dir, "modules/kubenix/links/a-again.nix"))
	c := loadIn(t, dir, "version: 1\n")
	files, err := c.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rel(t, dir, files), "modules/kubenix/links/a-again.nix") {
		t.Errorf("files = %q; want the inside link kept", rel(t, dir, files))
	}

	// A link to a file outside is an error at the glob.
	symlink(t, filepath.Join(outside, "secret.nix"), filepath.Join(dir, "modules/kubenix/apps/secret.nix"))
	_, err = c.ModuleFiles()
	got := asList(t, err)
	if len(got) != 1 || got[0].Line != 0 || !strings.Contains(got[0].Msg, "the default modules glob") || !strings.Contains(got[0].Msg, "a symlink to "+filepath.Join(outside, "secret.nix")+" outside") {
		t.Errorf("link to a file outside: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "modules/kubenix/apps/secret.nix")); err != nil {
		t.Fatal(err)
	}

	// "**" does not descend into a linked directory, so a link cycle
	// cannot hang the walk and a link to a directory outside is not read.
	symlink(t, "..", filepath.Join(dir, "modules/kubenix/apps/loop"))
	symlink(t, filepath.Join(outside, "lib"), filepath.Join(dir, "modules/kubenix/lib"))
	files, err = c.ModuleFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rel(t, dir, files) {
		if strings.Contains(f, "loop") || strings.Contains(f, "lib/") {
			t.Errorf("walked into a linked directory: %s", f)
		}
	}

	// Naming the linked directory outright follows it, and is refused.
	c = loadIn(t, dir, "version: 1\nmodules: [modules/kubenix/lib/*.nix]\n")
	_, err = c.ModuleFiles()
	if err == nil || !strings.Contains(err.Error(), `registry.yaml:2:11: modules glob "modules/kubenix/lib/*.nix" matches`) || !strings.Contains(err.Error(), "outside") {
		t.Errorf("glob through a linked directory outside: %v", err)
	}

	// A dangling link is reported.
	symlink(t, "nowhere.nix", filepath.Join(dir, "modules/other/broken.nix"))
	c = loadIn(t, dir, "version: 1\nmodules: [modules/other/*.nix]\n")
	_, err = c.ModuleFiles()
	if err == nil || !strings.Contains(err.Error(), "broken.nix: no such file or directory") {
		t.Errorf("dangling link: %v", err)
	}
}

func TestModuleFilesExcludedDanglingLink(t *testing.T) {
	dir := moduleTree(t)
	symlink(t, "nowhere.nix", filepath.Join(dir, "modules/kubenix/legacy/broken.nix"))
	c := loadIn(t, dir, "version: 1\nexclude: [modules/kubenix/legacy]\n")
	files, err := c.ModuleFiles()
	if err != nil {
		t.Fatalf("an excluded dangling link: %v", err)
	}
	if len(files) != 3 {
		t.Errorf("files = %q", rel(t, dir, files))
	}
}

// nix_args reach Config as written; source must be an http(s) URL.
func TestNixArgsAndSource(t *testing.T) {
	dir := t.TempDir()
	cfg := loadIn(t, dir, "version: 1\nnix_args: [--max-jobs, \"4\", --option, builders, \"ssh://arm64 aarch64-linux\"]\n"+
		"images:\n  a:\n    repository: ghcr.io/x/a\n    source: https://github.com/x/a\n    build: {file: a.nix}\n")
	if want := []string{"--max-jobs", "4", "--option", "builders", "ssh://arm64 aarch64-linux"}; !slices.Equal(cfg.NixArgs, want) {
		t.Errorf("nix_args = %q, want %q", cfg.NixArgs, want)
	}
	if cfg.Images[0].Source != "https://github.com/x/a" {
		t.Errorf("source = %q", cfg.Images[0].Source)
	}
	write(t, dir, "registry.yaml", "version: 1\nnix_args: [\"\"]\nimages:\n  a:\n    repository: ghcr.io/x/a\n    source: git@github.com:x/a\n    build: {file: a.nix}\n")
	_, err := Load(filepath.Join(dir, "registry.yaml"))
	for _, want := range []string{"registry.yaml:2:12: invalid nix argument", "registry.yaml:6:13: invalid source \"git@github.com:x/a\""} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

// TestHashFunctions: the functions pinner computes hashes with are files
// of the repository, given relative to registry.yaml.
func TestHashFunctions(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Parse(filepath.Join(dir, "registry.yaml"), []byte("version: 1\npull_function: nix/pull.nix\nchart_function: ./nix//chart.nix\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PullFunctionPath() != filepath.Join(dir, "nix", "pull.nix") || cfg.ChartFunctionPath() != filepath.Join(dir, "nix", "chart.nix") {
		t.Errorf("paths %q %q", cfg.PullFunctionPath(), cfg.ChartFunctionPath())
	}
	for _, key := range []string{"pull_function", "chart_function"} {
		_, err := Parse(filepath.Join(dir, "registry.yaml"), []byte("version: 1\n"+key+": ../outside.nix\n"))
		if err == nil || !strings.Contains(err.Error(), "registry.yaml:2:") || !strings.Contains(err.Error(), key) {
			t.Errorf("%s outside the repository: %v", key, err)
		}
	}
}
