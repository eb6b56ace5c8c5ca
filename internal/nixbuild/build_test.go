package nixbuild

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
)

// fixturesDir holds the fixture images of the migration list.
const fixturesDir = "../../modules-fixtures/oci-images"

// fixtureTags is every fixture image and the tag it declares.
var fixtureTags = map[string]string{
	"backup-toolbox":            "1.0.0",
	"postgresql-vchord-bitnami": "38c40fefe0c58cff6622de77f787634320e1ae5e",
	"valoris-frontend":          "latest",
	"valoris-backend":           "latest",
	"openclaw-nix":              "latest",
	"youtube-transcriber":       "0.0.1",
	"alarm-server":              "v0.2.3",
	"libebooker":                "latest",
	"openrouter-proxy":          "v0.0.5",
	"mcpo":                      "latest",
	"ollama":                    "0.12.6-1-g7f551c4-dirty-rocm",
}

// testBuilder skips the test without nix and never asks a substituter.
func testBuilder(t *testing.T) *Builder {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	return &Builder{Env: []string{"NIX_CONFIG=substituters ="}}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(fixturesDir, name+".nix"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildFixtures(t *testing.T) {
	b := testBuilder(t)
	var ins []Installable
	for _, name := range slices.Sorted(maps.Keys(fixtureTags)) {
		ins = append(ins, Installable{File: fixture(t, name), Args: map[string]string{"system": "x86_64-linux"}, Image: name})
	}
	// The same file with another argument set is another invocation.
	ins = append(ins, Installable{File: fixture(t, "backup-toolbox"), Args: map[string]string{"system": "aarch64-linux"}, Image: "backup-toolbox"})

	res, err := b.Build(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(ins) {
		t.Fatalf("got %d results for %d installables", len(res), len(ins))
	}
	for i, r := range res {
		name := ins[i].Image
		if r.ImageName != name || r.ImageTag != fixtureTags[name] {
			t.Errorf("%s: image %s:%s, want %s:%s", name, r.ImageName, r.ImageTag, name, fixtureTags[name])
		}
		if !strings.HasPrefix(r.Out, "/nix/store/") || !strings.HasSuffix(r.DrvPath, ".drv") || r.Outputs["out"] != r.Out {
			t.Errorf("%s: result %+v", name, r)
		}
		if _, err := os.Stat(r.Out); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if r.Installable.Image != name {
			t.Errorf("result %d is for %q, want %q", i, r.Installable.Image, name)
		}
	}
	amd := res[slices.IndexFunc(res, func(r Result) bool { return r.Installable.Image == "backup-toolbox" })]
	arm := res[len(res)-1]
	if amd.Out == arm.Out {
		t.Errorf("two platforms of backup-toolbox built %s and %s", amd.Out, arm.Out)
	}
}

func TestBuildDedupesAndMapsAttributes(t *testing.T) {
	b := testBuilder(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "set.nix")
	writeFile(t, file, `{ tag ? "x" }:
let
  mk = name: derivation {
    inherit name;
    system = builtins.currentSystem or "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo ${name} > $out" ];
    imageName = name;
    imageTag = tag;
  };
in { a = mk "pinner-test-a"; b = mk "pinner-test-b"; }
`)
	args := map[string]string{"tag": "t1"}
	ins := []Installable{
		{File: file, Attr: "b", Args: args},
		{File: file, Attr: "a", Args: args},
		{File: file, Attr: "b", Args: args},
	}
	res, err := b.Build(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.ImageName+":"+r.ImageTag)
	}
	if diff := cmp.Diff([]string{"pinner-test-b:t1", "pinner-test-a:t1", "pinner-test-b:t1"}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if res[0].Out != res[2].Out {
		t.Errorf("the same installable built twice: %s, %s", res[0].Out, res[2].Out)
	}
}

func TestBuildFlakePerSystem(t *testing.T) {
	b := testBuilder(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	copyDir(t, fixturesDir, filepath.Join(dir, "oci-images"))
	writeFile(t, filepath.Join(dir, "flake.nix"), `{
  outputs = { self }: {
    images = builtins.listToAttrs (map (system: {
      name = system;
      value.backup-toolbox = import ./oci-images/backup-toolbox.nix { inherit system; };
    }) [ "x86_64-linux" "aarch64-linux" ]);
  };
}
`)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cfg := &config.Config{Dir: dir}
	img := &config.Image{Name: "backup-toolbox", Platforms: []string{"linux/amd64", "linux/arm64"},
		Build: config.Build{Flake: ".#images.{system}.backup-toolbox"}}
	ins, err := ForImage(cfg, img)
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + "#images.aarch64-linux.backup-toolbox"; ins[1].Flake != want {
		t.Errorf("flake = %q, want %q", ins[1].Flake, want)
	}
	res, err := b.Build(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Out == res[1].Out || res[0].ImageTag != "1.0.0" {
		t.Fatalf("results %+v", res)
	}

	ins[0].Flake = dir + "#images.x86_64-linux.no-such-image"
	_, err = b.Build(context.Background(), ins[:1])
	if !errors.Is(err, ErrBadInput) {
		t.Errorf("missing flake attribute: %v, want ErrBadInput", err)
	}
}

func TestBuildFailureShowsLogTail(t *testing.T) {
	b := testBuilder(t)
	file := filepath.Join(t.TempDir(), "fail.nix")
	writeFile(t, file, `{ nonce }: derivation {
  name = "pinner-failing-build";
  system = builtins.currentSystem or "x86_64-linux";
  builder = "/bin/sh";
  args = [ "-c" "for i in 1 2 3 4 5; do echo pinner-log-line-$i; done; echo ${nonce} >/dev/null; exit 3" ];
}
`)
	in := Installable{File: file, Args: map[string]string{"nonce": fmt.Sprint(time.Now().UnixNano())}}
	_, err := b.Build(context.Background(), []Installable{in})
	if !errors.Is(err, ErrBuildFailed) || errors.Is(err, ErrBadInput) {
		t.Fatalf("err = %v, want ErrBuildFailed only", err)
	}
	t.Logf("error:\n%v", err)
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err is %T, want *Error", err)
	}
	for _, want := range []string{"pinner-log-line-5", "exit code 3", file} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if n := strings.Count(be.Tail, "\n") + 1; n > TailLines {
		t.Errorf("tail has %d lines, more than %d", n, TailLines)
	}
}

func TestBuildBadInput(t *testing.T) {
	b := testBuilder(t)
	for name, in := range map[string]Installable{
		"missing attribute": {File: fixture(t, "mcpo"), Attr: "no-such-attr"},
		"missing file":      {File: filepath.Join(t.TempDir(), "missing.nix")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.Build(context.Background(), []Installable{in})
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("err = %v, want ErrBadInput", err)
			}
			t.Logf("error:\n%v", err)
		})
	}
}

func TestBuildWithoutNix(t *testing.T) {
	t.Setenv("PATH", "")
	_, err := (&Builder{}).Build(context.Background(), []Installable{{File: "x.nix"}})
	if !errors.Is(err, ErrNixNotFound) {
		t.Fatalf("err = %v, want ErrNixNotFound", err)
	}
	if !strings.Contains(err.Error(), "apt-get install nix-bin") {
		t.Errorf("error %q does not say how to install nix", err)
	}
}

func TestBuildCancelKillsNix(t *testing.T) {
	b := testBuilder(t)
	b.KillDelay = 3 * time.Second
	nonce := fmt.Sprintf("pinner-cancel-%d", time.Now().UnixNano())
	file := filepath.Join(t.TempDir(), "slow.nix")
	writeFile(t, file, `{ nonce }: derivation {
  name = "pinner-slow-build";
  system = builtins.currentSystem or "x86_64-linux";
  builder = "/bin/sh";
  PATH = "/usr/bin:/bin";
  args = [ "-c" "sleep 60; echo ${nonce} > $out" ];
}
`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	_, err := b.Build(ctx, []Installable{{File: file, Args: map[string]string{"nonce": nonce}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Build returned %v after the cancel", d)
	}
	// Nix stops its builder when interrupted: no process may still run
	// the build's command line.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := processesMentioning(t, nonce)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes still running after cancel: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func processesMentioning(t *testing.T, s string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

func TestForImageFile(t *testing.T) {
	cfg := &config.Config{Dir: "/repo"}
	img := &config.Image{Name: "backup-toolbox", Platforms: []string{"linux/amd64", "linux/arm64", "linux/arm/v7"},
		Build: config.Build{File: "oci-images/backup-toolbox.nix", Args: map[string]string{"flavour": "full"}}}
	got, err := ForImage(cfg, img)
	if err != nil {
		t.Fatal(err)
	}
	want := []Installable{
		{File: "/repo/oci-images/backup-toolbox.nix", Args: map[string]string{"flavour": "full", "system": "x86_64-linux"}, Image: "backup-toolbox", Platform: "linux/amd64"},
		{File: "/repo/oci-images/backup-toolbox.nix", Args: map[string]string{"flavour": "full", "system": "aarch64-linux"}, Image: "backup-toolbox", Platform: "linux/arm64"},
		{File: "/repo/oci-images/backup-toolbox.nix", Args: map[string]string{"flavour": "full", "system": "armv7l-linux"}, Image: "backup-toolbox", Platform: "linux/arm/v7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ForImage (-want +got):\n%s", diff)
	}

	// Args that set system win: the file selects its platform itself.
	img.Build.Args = map[string]string{"system": "x86_64-linux"}
	img.Platforms = []string{"linux/arm64"}
	got, err = ForImage(cfg, img)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Args["system"] != "x86_64-linux" {
		t.Errorf("system = %q, want the configured x86_64-linux", got[0].Args["system"])
	}

	img.Platforms = []string{"windows/amd64"}
	if _, err := ForImage(cfg, img); !errors.Is(err, ErrBadInput) {
		t.Errorf("unsupported platform: %v, want ErrBadInput", err)
	}
}

func TestPlanGroups(t *testing.T) {
	a := map[string]string{"system": "x86_64-linux"}
	b := map[string]string{"system": "aarch64-linux"}
	ins := []Installable{
		{Flake: "/r#x"},
		{File: "/f.nix", Attr: "one", Args: a},
		{File: "/f.nix", Attr: "one", Args: b},
		{Flake: "/r#y"},
		{File: "/f.nix", Attr: "two", Args: a},
		{File: "/f.nix", Attr: "one", Args: a},
	}
	var got [][]string
	for _, g := range plan(ins) {
		got = append(got, g.argv(nil))
	}
	common := []string{"build", "--no-link", "--json", "--extra-experimental-features", "nix-command flakes"}
	want := [][]string{
		append(slices.Clone(common), "--", "/r#x", "/r#y"),
		append(slices.Clone(common), "-f", "/f.nix", "--argstr", "system", "x86_64-linux", "--", "one", "two"),
		append(slices.Clone(common), "-f", "/f.nix", "--argstr", "system", "aarch64-linux", "--", "one"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("argv per group (-want +got):\n%s", diff)
	}
}

func TestClassify(t *testing.T) {
	for stderr, want := range map[string]error{
		"error: attribute 'nope' in selection path 'nope' not found":                                       ErrBadInput,
		"error: flake 'path:/x' does not provide attribute 'packages.x86_64-linux.y'":                      ErrBadInput,
		"error: getting status of '/x/missing.nix': No such file or directory":                             ErrBadInput,
		"error: syntax error, unexpected '}'":                                                              ErrBadInput,
		"error: builder for '/nix/store/x.drv' failed with exit code 1;\n> tar: No such file or directory": ErrBuildFailed,
		"error: unable to download 'https://cache.nixos.org'":                                              ErrBuildFailed,
	} {
		if got := classify(stderr); got != want {
			t.Errorf("classify(%q) = %v, want %v", stderr, got, want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// Builder.Args reach nix build as given: here --argstr, whose value ends
// up in the store path's name, and --max-jobs; an option Nix does not know
// fails the build and says so.
func TestBuildPassesArgs(t *testing.T) {
	b := testBuilder(t)
	file := filepath.Join(t.TempDir(), "marked.nix")
	writeFile(t, file, `{ marker ? "none" }: derivation {
  name = "pinner-marked-${marker}";
  system = builtins.currentSystem or "x86_64-linux";
  builder = "/bin/sh";
  args = [ "-c" "echo > $out" ];
}
`)
	b.Args = []string{"--max-jobs", "1", "--argstr", "marker", "from-registry-yaml"}
	res, err := b.Build(context.Background(), []Installable{{File: file}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(res[0].Out, "-pinner-marked-from-registry-yaml") {
		t.Errorf("built %s: the arguments did not reach nix", res[0].Out)
	}
	b.Args = []string{"--no-such-nix-option"}
	if _, err := b.Build(context.Background(), []Installable{{File: file}}); err == nil || !strings.Contains(err.Error(), "no-such-nix-option") {
		t.Errorf("unknown option: %v", err)
	}
}
