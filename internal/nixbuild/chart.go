package nixbuild

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

//go:embed chart.nix
var chartNix []byte

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
	if err := os.WriteFile(file, chartNix, 0o644); err != nil {
		return "", fmt.Errorf("fetching chart %s %s: %w", c.Name, c.Version, err)
	}
	rs, err := b.Build(ctx, []Installable{{File: file, Image: c.Name, Args: map[string]string{
		"repo": c.Repo, "chart": c.Name, "version": c.Version, "sha256": c.SHA256, "helm": helm,
	}}})
	if err != nil {
		return "", err
	}
	return rs[0].Out, nil
}
