package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/helmrepo"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// chartStandIns are the chart fetches modules call, written here after
// what each does: kubenix's helm.fetch (helm repo add and helm fetch
// --untar, the chart's directory as the output), nix-kube-generators'
// downloadHelmChart (helm pull --untar, the chart's entries moved into
// the output, dotfiles left behind) and Nix's fetchurl. pinner computes
// their hashes with functions of its own; these build the result.
const chartStandIns = `{ helm }:
let
  fixed = name: hash: script: env: derivation ({
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" ("set -eu\nexport HOME=$PWD PATH=/usr/bin:/bin\n" + script) ];
    inherit helm;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = hash;
  } // env);
in {
  kubenix.lib.helm.fetch = { repo, chart, version, sha256 }: fixed "${chart}-${version}" sha256 ''
    "$helm" repo add repository "$repo"
    "$helm" fetch -d ./chart --untar "repository/$chart" --version "$version"
    cp -r chart/*/ "$out"
  '' { inherit repo chart version; };
  lib.helm.downloadHelmChart = { repo, chart, version, chartHash }: fixed "helm-chart-${chart}-${version}" chartHash ''
    "$helm" pull --repo "$repo" --version "$version" "$chart" -d ./out --untar
    mkdir "$out"
    mv ./out/"$chart"/* "$out"
  '' { inherit repo chart version; };
  pkgs.fetchurl = import <nix/fetchurl.nix>;
}
`

// chartTestRepo skips without Nix, serves an empty chart repository and
// puts its helm first on $PATH, where pinner's chart fetch finds it.
func chartTestRepo(t *testing.T) *helmrepo.Repo {
	t.Helper()
	for _, b := range []string{"nix-instantiate", "nix-store", "nix-build"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
	t.Setenv("NIX_CONFIG", "substituters =\nsandbox = false")
	repo := helmrepo.New(t)
	t.Setenv("PATH", filepath.Dir(repo.Helm)+string(os.PathListSeparator)+os.Getenv("PATH"))
	return repo
}

// TestUpdateCharts: a policy moves each kind of chart fetch to the newest
// version it allows, with the hash Nix computes for the fetch the module
// calls, in the file's spelling; a version variable another binding uses
// stays; the images the moved charts set by default are pinned from the
// new version in the same run; the changelog names the release; the
// updated module builds every chart with the stand-ins; a rerun changes
// nothing.
func TestUpdateCharts(t *testing.T) {
	repo := chartTestRepo(t)
	// The charts' default images, which update pins from the chart
	// version each release moves to.
	host, _ := registry.StartInProcess(t)
	digests := map[string]string{}
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		digests[v] = registry.PushRandom(t, host+"/acme/web:"+v, false)
		repo.Add("web", v, host+"/acme/web:"+v)
	}
	const (
		fakeSRI    = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
		fakeBase32 = "0000000000000000000000000000000000000000000000000000"
	)
	src := `{ kubenix, lib, pkgs, ... }:
let
  webVersion = "1.0.0";
in
{
  kubernetes.helm.releases.web = {
    chart = kubenix.lib.helm.fetch {
      repo = "` + repo.URL + `";
      chart = "web";
      version = webVersion;
      sha256 = "` + fakeSRI + `";
    };
    values.appVersion = webVersion;
  };
  applications.site.helm.releases.blog.chart = lib.helm.downloadHelmChart {
    repo = "` + repo.URL + `";
    chart = "web";
    version = "1.0.0";
    chartHash = "` + fakeSRI + `";
  };
  archive = pkgs.fetchurl { url = "` + repo.URL + `/web-1.0.0.tgz"; sha256 = "` + fakeBase32 + `"; };
}
`
	dir := writeFiles(t, map[string]string{
		"registry.yaml":      "version: 1\nmodules: [\"modules/*.nix\"]\ninsecure: [\"" + host + "\"]\npolicies:\n  - match: \"" + strings.TrimPrefix(repo.URL, "http://") + "/web\"\n    update: minor\n",
		"modules/charts.nix": src,
		"nix/stand-ins.nix":  chartStandIns,
	})
	mod := filepath.Join(dir, "modules", "charts.nix")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	body := filepath.Join(t.TempDir(), "pr.md")
	code, out, stderr := run(t, dir, "update", "--all", "--no-build", "--pr-body", body)
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "moved chart 127.0.0.1:") || !strings.Contains(stderr, "1.0.0 → 1.1.0 (minor)") {
		t.Errorf("the move is not reported:\n%s", stderr)
	}
	if pr := read(body); !strings.Contains(pr, "5 changes to 1 image and 1 chart in 1 file") || !strings.Contains(pr, "| chart `127.0.0.1:") {
		t.Errorf("PR body:\n%s", pr)
	}
	got := read(mod)
	for _, want := range []string{
		`webVersion = "1.0.0";`, // still used by the values
		`version = "1.1.0";`,
		`url = "` + repo.URL + `/web-1.1.0.tgz"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("updated module lacks %q:\n%s", want, got)
		}
	}
	// Both releases' default image is pinned to the moved chart's.
	if strings.Count(got, digests["1.1.0"]) != 2 || strings.Contains(got, digests["1.0.0"]) {
		t.Errorf("the moved charts' default images are not pinned from the new version (want %s twice):\n%s", digests["1.1.0"], got)
	}
	if strings.Count(got, `version = "1.1.0";`) != 2 || strings.Contains(got, fakeSRI) || strings.Contains(got, fakeBase32) {
		t.Errorf("versions or hashes not all moved:\n%s", got)
	}
	if !strings.Contains(got, `sha256 = "sha256-`) || !strings.Contains(got, `chartHash = "sha256-`) || strings.Contains(got, `url = "`+repo.URL+`/web-1.1.0.tgz"; sha256 = "sha256-`) {
		t.Errorf("hashes lost the file's spelling:\n%s", got)
	}
	// The two fetches' hashes differ: one output keeps .helmignore.
	log := read(filepath.Join(dir, "CHANGELOG.md"))
	if !strings.Contains(log, "helm release web") || !strings.Contains(log, "helm release blog") || !strings.Contains(log, "1.0.0") || !strings.Contains(log, "1.1.0") {
		t.Errorf("changelog does not name the releases and versions:\n%s", log)
	}

	expr := `let s = import ./nix/stand-ins.nix { helm = "` + repo.Helm + `"; }; m = import ./modules/charts.nix s; in [ m.kubernetes.helm.releases.web.chart m.applications.site.helm.releases.blog.chart m.archive ]`
	build := exec.Command("nix-build", "--no-out-link", "-E", expr)
	build.Dir = dir
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated module: %v\n%s", err, b)
	}

	if code, out, stderr := run(t, dir, "update", "--all", "--no-build"); code != 0 || read(mod) != got {
		t.Errorf("rerun: exit %d, file changed: %v\n%s%s", code, read(mod) != got, out, stderr)
	}
}

// TestUpdateChartsNoHash: when Nix cannot compute the hash of a chart's
// new version (the repository lists an archive it no longer serves), that
// fetch stays byte for byte as it was, the others move, and the exit is 3
// with the reason.
func TestUpdateChartsNoHash(t *testing.T) {
	repo := chartTestRepo(t)
	for _, name := range []string{"web", "api"} {
		for _, v := range []string{"1.0.0", "1.1.0"} {
			repo.Add(name, v, "ghcr.io/acme/"+name+":"+v)
		}
	}
	if err := os.Remove(filepath.Join(repo.Dir, "api-1.1.0.tgz")); err != nil {
		t.Fatal(err)
	}
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	fetch := func(name string) string {
		return `  ` + name + ` = kubenix.lib.helm.fetch { repo = "` + repo.URL + `"; chart = "` + name + `"; version = "1.0.0"; sha256 = "` + fake + `"; };` + "\n"
	}
	dir := writeFiles(t, map[string]string{
		"registry.yaml":      "version: 1\nmodules: [\"modules/*.nix\"]\npolicies:\n  - match: \"**\"\n    update: minor\n",
		"modules/charts.nix": "{ kubenix, ... }: {\n" + fetch("web") + fetch("api") + "}\n",
	})
	code, _, stderr := run(t, dir, "update", "--all", "--no-build")
	if code != 3 || !strings.Contains(stderr, "charts.nix:3:") || !strings.Contains(stderr, "the hash of version 1.1.0 could not be computed") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "modules", "charts.nix"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if want := strings.TrimSuffix(fetch("api"), "\n"); lines[2] != want {
		t.Errorf("the chart without a hash changed:\n%s\nwant\n%s", lines[2], want)
	}
	if !strings.Contains(lines[1], `version = "1.1.0"`) || strings.Contains(lines[1], fake) {
		t.Errorf("the other chart did not move:\n%s", lines[1])
	}
}

// TestUpdateChartsOCI: a chart from an oci:// repository moves under its
// policy (versions from the registry's tags, read over plain HTTP for an
// insecure host), and the hash written is the one downloadHelmChart's
// stand-in builds.
func TestUpdateChartsOCI(t *testing.T) {
	repo := chartTestRepo(t)
	host, _ := registry.StartInProcess(t)
	oci := "oci://" + host + "/charts"
	for _, v := range []string{"1.0.0", "1.0.1", "1.1.0"} {
		repo.Push("api", v, "ghcr.io/acme/api:"+v, oci)
	}
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	src := `{ lib, ... }: {
  applications.api.helm.releases.api.chart = lib.helm.downloadHelmChart {
    repo = "` + oci + `";
    chart = "api";
    version = "1.0.0";
    chartHash = "` + fake + `";
  };
}
`
	standIn := `{ helm }: {
  lib.helm.downloadHelmChart = { repo, chart, version, chartHash }: derivation {
    name = "helm-chart-${chart}-${version}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" ''
      set -eu
      export HOME=$PWD PATH=/usr/bin:/bin
      "$helm" pull "$repo/$chart" --version "$version" --plain-http -d ./out --untar
      mkdir "$out"
      mv ./out/"$chart"/* "$out"
    '' ];
    inherit helm repo chart version;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = chartHash;
  };
}
`
	dir := writeFiles(t, map[string]string{
		"registry.yaml":     "version: 1\nmodules: [\"modules/*.nix\"]\ninsecure: [\"" + host + "\"]\nignore: [\"ghcr.io/acme/api\"]\npolicies:\n  - match: \"" + host + "/charts/*\"\n    update: patch\n",
		"modules/api.nix":   src,
		"nix/stand-ins.nix": standIn,
	})
	code, out, stderr := run(t, dir, "update", "--all", "--no-build")
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "modules", "api.nix"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, `version = "1.0.1";`) || strings.Contains(got, fake) {
		t.Fatalf("the chart did not move to 1.0.1 (patch) with its hash:\n%s", got)
	}
	expr := `(import ./modules/api.nix (import ./nix/stand-ins.nix { helm = "` + repo.Helm + `"; })).applications.api.helm.releases.api.chart`
	build := exec.Command("nix-build", "--no-out-link", "-E", expr)
	build.Dir = dir
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated module: %v\n%s", err, b)
	}
}
