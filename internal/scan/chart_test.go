package scan

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const fakeSRI = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

// TestChartSites reads the chart fetches of the forms modules write, and
// where each writes the version and the hash an update rewrites.
func TestChartSites(t *testing.T) {
	for _, tc := range []struct {
		name, src    string
		ref, hashKey string
		versions     []string // the source text at each version span
		editable     bool
		reason       string
	}{
		{name: "kubenix helm.fetch",
			src: `{ kubenix, ... }: { kubernetes.helm.releases.cm.chart = kubenix.lib.helm.fetch { repo = "https://charts.jetstack.io"; chart = "cert-manager"; version = "v1.14.4"; sha256 = "` + fakeSRI + `"; }; }`,
			ref: "charts.jetstack.io/cert-manager:v1.14.4", hashKey: "sha256", versions: []string{"v1.14.4"}, editable: true},
		{name: "nixidy downloadHelmChart from OCI",
			src: `{ lib, ... }: { applications.a.helm.releases.argo = { chart = lib.helm.downloadHelmChart { repo = "oci://ghcr.io/argoproj/argo-helm/"; chart = "argo-cd"; version = "5.51.4"; chartHash = "` + fakeSRI + `"; }; }; }`,
			ref: "ghcr.io/argoproj/argo-helm/argo-cd:5.51.4", hashKey: "chartHash", versions: []string{"5.51.4"}, editable: true},
		{name: "version through a let",
			src: `{ kubenix, ... }: let version = "1.2.3"; in { c = kubenix.lib.helm.fetch { inherit version; repo = "https://x.example"; chart = "x"; sha256 = "` + fakeSRI + `"; }; }`,
			ref: "x.example/x:1.2.3", hashKey: "sha256", versions: []string{"1.2.3"}, editable: true},
		{name: "chartName and chartVersion",
			src: `{ helm, ... }: { c = helm.downloadHelmChart { repo = "https://traefik.github.io/charts"; chartName = "traefik"; chartVersion = "33.2.1"; chartHash = "` + fakeSRI + `"; }; }`,
			ref: "traefik.github.io/charts/traefik:33.2.1", hashKey: "chartHash", versions: []string{"33.2.1"}, editable: true},
		{name: "fetchurl of a release archive",
			src: `{ pkgs, ... }: { c = pkgs.fetchurl { url = "https://github.com/a/b/releases/download/foo-1.2.3/foo-1.2.3.tgz"; hash = "` + fakeSRI + `"; }; }`,
			ref: "github.com/a/b/releases/download/foo-1.2.3/foo:1.2.3", hashKey: "hash", versions: []string{"1.2.3", "1.2.3"}, editable: true},
		{name: "hash from an argument",
			src: `{ kubenix, h, ... }: { c = kubenix.lib.helm.fetch { repo = "https://x.example"; chart = "x"; version = "1.0.0"; sha256 = h; }; }`,
			ref: "x.example/x:1.0.0", hashKey: "sha256", versions: []string{"1.0.0"}, reason: "its hash is not a string"},
		{name: "version from an argument",
			src: `{ kubenix, v, ... }: { c = kubenix.lib.helm.fetch { repo = "https://x.example"; chart = "x"; version = v; sha256 = "` + fakeSRI + `"; }; }`,
			ref: "x.example/x:${v}", hashKey: "sha256", reason: "not known statically"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sites := File(parse(t, tc.src))
			if len(sites) != 1 || sites[0].Form != FormChart || sites[0].Chart == nil {
				t.Fatalf("sites %+v", sites)
			}
			s := sites[0]
			if s.Ref != tc.ref || s.Chart.HashKey != tc.hashKey || s.Editable != tc.editable {
				t.Errorf("ref %q hash key %q editable %v, want %q %q %v", s.Ref, s.Chart.HashKey, s.Editable, tc.ref, tc.hashKey, tc.editable)
			}
			if !strings.Contains(s.Reason, tc.reason) || (tc.reason == "") != (s.Reason == "") {
				t.Errorf("reason %q, want %q", s.Reason, tc.reason)
			}
			var got []string
			for _, v := range s.Chart.Versions {
				got = append(got, tc.src[v.Span.Start:v.Span.End])
			}
			if strings.Join(got, ",") != strings.Join(tc.versions, ",") {
				t.Errorf("version texts %q, want %q", got, tc.versions)
			}
			if tc.editable && (s.Chart.Hash == nil || tc.src[s.Chart.Hash.Span.Start:s.Chart.Hash.Span.End] != fakeSRI) {
				t.Errorf("hash %+v", s.Chart.Hash)
			}
			if s.Managed(nil) || !s.ManagedChart(nil) || s.ManagedChart(func(r string) bool { return r == s.Chart.ID() }) {
				t.Errorf("a chart is managed as a chart, never as an image")
			}
		})
	}
}

// TestChartNotSites: sets that name a chart without fetching it, or fetch
// something else, are no chart sites.
func TestChartNotSites(t *testing.T) {
	for _, src := range []string{
		// ArgoCD's source: no hash, nothing Nix fetches.
		`{ spec.source = { repoURL = "https://charts.jetstack.io"; chart = "cert-manager"; targetRevision = "v1.14.4"; }; }`,
		// A release naming its chart's version without a fetch.
		`{ helm.releases.x = { repo = "https://x.example"; chart = "x"; version = "1.0.0"; }; }`,
		// A source archive, not a chart.
		`{ pkgs }: { src = pkgs.fetchurl { url = "https://example.com/foo-1.2.3.tar.gz"; sha256 = "` + fakeSRI + `"; }; }`,
		// Option documentation.
		`{ lib, ... }: { options.x = lib.mkOption { example = lib.literalExpression { c = { repo = "https://x.example"; chart = "x"; version = "1.0.0"; sha256 = "h"; }; }; }; }`,
	} {
		for _, s := range File(parse(t, src)) {
			if s.Form == FormChart {
				t.Errorf("%s: chart site %+v", src, s)
			}
		}
	}
}

// TestChartSitesRealWorld: every helm.fetch and downloadHelmChart call of
// the real-world-style modules is a chart site, at the call's repo, and
// none of them is also an image site.
func TestChartSitesRealWorld(t *testing.T) {
	// A call's argument is a set written there or a name bound to one.
	call := regexp.MustCompile(`(?m)^[^#\n]*(helm\.fetch|downloadHelmChart)\s+[{A-Za-z(]`)
	total := 0
	err := filepath.WalkDir(realworldDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".nix") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		want := len(call.FindAll(src, -1))
		got := 0
		for _, s := range File(parse(t, string(src))) {
			if s.Form != FormChart {
				continue
			}
			got++
			if s.Chart.Kind != ChartRepo || s.Chart.Name == "" || s.Chart.Version == "" || !s.Pinned || s.Editable == strings.HasPrefix(s.Chart.Version, "${") {
				t.Errorf("%s:%d: chart %+v", p, s.Line, s.Chart)
			}
		}
		if got != want {
			t.Errorf("%s: %d chart sites for %d fetch calls", p, got, want)
		}
		total += got
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total < 10 {
		t.Errorf("only %d chart sites under %s", total, realworldDir)
	}
}
