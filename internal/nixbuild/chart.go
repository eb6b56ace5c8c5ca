package nixbuild

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// chartNix is the chart kubenix's lib.helm.fetch fetches, built the way
// it builds it: `helm pull --untar` of the chart from its repository, the
// chart's directory as the output, a fixed output of the module's sha256
// (recursive). Same name, same hash, same store path: a chart that `make
// manifests` fetched already is in the store and nothing runs. The
// builder is the host's /bin/sh and the helm pinner found; every value
// comes in as an environment variable, never as script text.
//
// With plainHttp, an oci:// repository is read over plain HTTP (a host
// registry.yaml lists as insecure). With dropDotfiles, the output is the chart's entries but those whose
// name starts with a dot (.helmignore): what nix-kube-generators'
// downloadHelmChart (nixidy's lib.helm.downloadHelmChart) makes with
// `mv chart/* $out`, whose hash therefore differs from helm.fetch's.
const chartNix = `{ repo, chart, version, sha256, helm, dropDotfiles ? "", plainHttp ? "" }:
derivation {
  name = "${builtins.replaceStrings [ "/" ] [ "-" ] chart}-${version}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    case "$repo" in
      oci://*) "$helm" pull "$repo/$chart" --version "$version" --untar --untardir pulled ''${plainHttp:+--plain-http} ;;
      *) "$helm" pull --repo "$repo" "$chart" --version "$version" --untar --untardir pulled ;;
    esac
    if [ -n "$dropDotfiles" ]; then
      mkdir "$out"
      for f in "pulled/$chart"/*; do cp -r "$f" "$out/"; done
    else
      cp -r "pulled/$chart" "$out"
    fi
  '' ];
  inherit repo chart version helm dropDotfiles plainHttp;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = sha256;
}
`

// fetchurlNix is Nix's own fetchurl (builtin:fetchurl), whose flat hash
// of the file is nixpkgs' fetchurl's too.
const fetchurlNix = `args: import <nix/fetchurl.nix> args
`

// HashFunctions are Nix files of pinner's own fetch functions, for
// PullCall.Func: Chart takes { repo, chart, version, sha256, helm,
// dropDotfiles, plainHttp }, Fetchurl fetchurl's { url, hash or sha256 }. Remove
// removes them.
type HashFunctions struct {
	Chart, Fetchurl string
	dir             string
}

// WriteHashFunctions writes the functions to a new temporary directory.
func WriteHashFunctions() (*HashFunctions, error) {
	dir, err := os.MkdirTemp("", "pinner-hashfn-")
	if err != nil {
		return nil, err
	}
	h := &HashFunctions{Chart: filepath.Join(dir, "chart.nix"), Fetchurl: filepath.Join(dir, "fetchurl.nix"), dir: dir}
	for p, text := range map[string]string{h.Chart: chartNix, h.Fetchurl: fetchurlNix} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	return h, nil
}

// Remove deletes the files.
func (h *HashFunctions) Remove() { os.RemoveAll(h.dir) }

// HelmPath is the helm the chart function runs: on $PATH, else "helm"
// (the build then says it is missing).
func HelmPath() string {
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	return "helm"
}

// Chart names a chart in a chart repository, as kubenix's lib.helm.fetch
// takes it.
type Chart struct {
	Repo, Name, Version, SHA256 string
	// DropDotfiles: the output leaves the chart's dotfiles out, as
	// downloadHelmChart's does.
	DropDotfiles bool
	// PlainHTTP reads an oci:// repository over plain HTTP.
	PlainHTTP bool
}

// FetchChart builds the chart's fixed-output derivation (see chart.nix)
// and returns its store path: the chart's directory. helm is the helm
// binary the builder runs when the chart is not in the store yet; "" looks
// it up in $PATH.
func (b *Builder) FetchChart(ctx context.Context, c Chart, helm string) (string, error) {
	if helm == "" {
		helm = HelmPath()
	}
	dir, err := os.MkdirTemp("", "pinner-chart-")
	if err != nil {
		return "", fmt.Errorf("fetching chart %s %s: %w", c.Name, c.Version, err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "chart.nix")
	if err := os.WriteFile(file, []byte(chartNix), 0o644); err != nil {
		return "", fmt.Errorf("fetching chart %s %s: %w", c.Name, c.Version, err)
	}
	args := map[string]string{"repo": c.Repo, "chart": c.Name, "version": c.Version, "sha256": c.SHA256, "helm": helm}
	if c.DropDotfiles {
		args["dropDotfiles"] = "1"
	}
	if c.PlainHTTP {
		args["plainHttp"] = "1"
	}
	rs, err := b.Build(ctx, []Installable{{File: file, Image: c.Name, Args: args}})
	if err != nil {
		return "", summary(err)
	}
	return rs[0].Out, nil
}

// summary shortens a failed chart build to what says why: the helm
// error the builder printed, or Nix's hash mismatch.
func summary(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	var why []string
	for _, l := range strings.Split(e.Tail, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "> "):
			why = append(why[:0], strings.TrimPrefix(l, "> "))
		case strings.HasPrefix(l, "specified:"), strings.HasPrefix(l, "got:"):
			why = append(why, l)
		}
	}
	if len(why) == 0 {
		return err
	}
	return fmt.Errorf("%w: %s", e.Err, strings.Join(why, ", "))
}
