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
const chartNix = `{ repo, chart, version, sha256, helm }:
derivation {
  name = "${builtins.replaceStrings [ "/" ] [ "-" ] chart}-${version}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    "$helm" pull --repo "$repo" "$chart" --version "$version" --untar --untardir pulled
    cp -r "pulled/$chart" "$out"
  '' ];
  inherit repo chart version helm;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = sha256;
}
`

// Chart names a chart in a chart repository, as kubenix's lib.helm.fetch
// takes it.
type Chart struct {
	Repo, Name, Version, SHA256 string
}

// FetchChart builds the chart's fixed-output derivation (see chart.nix)
// and returns its store path: the chart's directory. helm is the helm
// binary the builder runs when the chart is not in the store yet; "" looks
// it up in $PATH.
func (b *Builder) FetchChart(ctx context.Context, c Chart, helm string) (string, error) {
	if helm == "" {
		if p, err := exec.LookPath("helm"); err == nil {
			helm = p
		} else {
			helm = "helm"
		}
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
	rs, err := b.Build(ctx, []Installable{{File: file, Image: c.Name, Args: map[string]string{
		"repo": c.Repo, "chart": c.Name, "version": c.Version, "sha256": c.SHA256, "helm": helm,
	}}})
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
