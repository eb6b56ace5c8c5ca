package update

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/chartrepo"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/policy"
	"github.com/pinner-dev/pinner/internal/release"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// chartMoves decides, for every chart fetch whose policy moves versions,
// the version it moves to (--all only: the NAME|REF arguments name
// images). A fetch whose hash pinner cannot compute is a warning.
func chartMoves(ctx context.Context, cfg *config.Config, r *oci.Resolver, sites []scan.Site, o Options) ([]plan.ChartMove, []string, error) {
	if !o.All {
		return nil, nil, nil
	}
	reg := &chartrepo.Registry{OCI: r}
	var keys []imageref.Key
	var cands []*scan.Site
	var warnings []string
	for i := range sites {
		s := &sites[i]
		if !s.ManagedChart(cfg.Ignored) {
			continue
		}
		p := cfg.PolicyFor(s.Chart.ID())
		if p == nil || p.Update <= tagver.Digest {
			continue
		}
		if !s.Editable {
			warnings = append(warnings, fmt.Sprintf("%s: chart %s: pinner cannot move it: %s", s.Position(), s.Ref, s.Reason))
			continue
		}
		if why := hashFunctionGap(cfg, s); why != "" {
			warnings = append(warnings, fmt.Sprintf("%s: chart %s: pinner cannot move it: %s", s.Position(), s.Ref, why))
			continue
		}
		reg.Add(chartrepo.Chart{Repo: s.Chart.Repo, Name: s.Chart.Name})
		keys = append(keys, imageref.MakeKey(s.Chart.ID(), s.Chart.Version))
		cands = append(cands, s)
	}
	if len(keys) == 0 {
		return nil, warnings, nil
	}
	dec, err := policy.Decide(ctx, cfg, reg, keys, policy.Options{Jobs: o.Registry.Jobs, Log: o.Log, Progress: o.Progress})
	if err != nil {
		return nil, nil, diag.AsOutside(err)
	}
	var moves []plan.ChartMove
	logged := map[imageref.Key]bool{}
	for i, s := range cands {
		d := dec[keys[i]]
		if logged[keys[i]] {
			d = &policy.Decision{To: d.To}
		}
		logged[keys[i]] = true
		for _, h := range d.Held {
			o.Log.LogAttrs(ctx, slog.LevelInfo, "policy holds a newer chart version back", slog.String("chart", s.Ref),
				slog.String("version", h.Tag), slog.String("reason", h.Reason))
		}
		if d.To != "" && d.To != s.Chart.Version {
			moves = append(moves, plan.ChartMove{Site: s, Version: d.To, Release: releaseOf(s)})
		}
	}
	return moves, warnings, nil
}

// releaseOf is the Helm release whose chart the fetch is, from the
// attribute path it is written at (…helm.releases.NAME.chart); "" when
// the fetch is bound elsewhere.
func releaseOf(s *scan.Site) string {
	parts := strings.Split(s.AttrPath, ".")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "helm" && parts[i+1] == "releases" && !strings.HasPrefix(parts[i+2], "${") {
			return parts[i+2]
		}
	}
	return ""
}

// fetchKind is the fetch function a chart site calls, by its last name.
func fetchKind(s *scan.Site) string {
	f := s.Chart.Func
	if i := strings.LastIndexByte(f, '.'); i >= 0 {
		f = f[i+1:]
	}
	if f == "fetch" && strings.HasSuffix(s.Chart.Func, "helm.fetch") {
		return "helm.fetch"
	}
	return f
}

// hashFunctionGap says why pinner has no function that computes the
// site's hash; "" when it has one.
func hashFunctionGap(cfg *config.Config, s *scan.Site) string {
	switch {
	case s.Chart.Kind == scan.ChartURL && fetchKind(s) == "fetchurl":
		return ""
	case s.Chart.Kind == scan.ChartURL:
		return fmt.Sprintf("its archive is fetched by %q, whose hash pinner does not know (it knows fetchurl's)", s.Chart.Func)
	case cfg.ChartFunction != "":
		return ""
	case fetchKind(s) == "helm.fetch" || fetchKind(s) == "downloadHelmChart":
		return ""
	}
	return fmt.Sprintf("pinner knows the hashes of helm.fetch and downloadHelmChart, not of %q; set chart_function in registry.yaml to the function the module calls", s.Chart.Func)
}

// ociHost is the registry host of an oci:// repository, "" for another.
func ociHost(repo string) string {
	rest, ok := strings.CutPrefix(repo, "oci://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// chartCall is the Nix call whose hash is the chart fetch's at version.
func chartCall(cfg *config.Config, fns *nixbuild.HashFunctions, s *scan.Site, version string) nixbuild.PullCall {
	c := s.Chart
	call := nixbuild.PullCall{HashKey: c.HashKey, Spelling: c.Hash.Value}
	switch {
	case c.Kind == scan.ChartURL:
		call.Func = fns.Fetchurl
		call.Args = map[string]any{"url": strings.ReplaceAll(c.URL, c.Version, version)}
		if call.HashKey != "sha256" {
			call.HashKey = "hash"
		}
	case cfg.ChartFunction != "":
		call.Func = cfg.ChartFunctionPath()
		call.Args = map[string]any{"repo": c.Repo, c.NameKey: c.Name, c.VersionKey: version}
	default:
		call.Func, call.HashKey = fns.Chart, "sha256"
		call.Args = map[string]any{"repo": c.Repo, "chart": c.Name, "version": version, "helm": nixbuild.HelmPath()}
		if fetchKind(s) == "downloadHelmChart" {
			call.Args["dropDotfiles"] = "1"
		}
		if ociHost(c.Repo) != "" && slices.Contains(cfg.Insecure, ociHost(c.Repo)) {
			call.Args["plainHttp"] = "1"
		}
	}
	return call
}

// chartHashes computes the hash of every chart move in one Nix run. A
// move whose hash Nix does not report is left out, with a warning.
func chartHashes(ctx context.Context, cfg *config.Config, moves []plan.ChartMove) ([]plan.ChartMove, []string, error) {
	if len(moves) == 0 {
		return nil, nil, nil
	}
	fns, err := nixbuild.WriteHashFunctions()
	if err != nil {
		return nil, nil, diag.AsOutside(err)
	}
	defer fns.Remove()
	calls := make([]nixbuild.PullCall, len(moves))
	for i, m := range moves {
		calls[i] = chartCall(cfg, fns, m.Site, m.Version)
	}
	got, err := nixbuild.PullHashes(ctx, "", calls)
	if err != nil {
		return nil, nil, diag.AsOutside(fmt.Errorf("computing the hashes of %d chart fetch(es): %w", len(moves), err))
	}
	var out []plan.ChartMove
	var warnings []string
	for i, m := range moves {
		if g := got[i]; g.Err != nil || g.Hash == "" {
			why := "Nix reported no hash"
			if g.Err != nil {
				why = g.Err.Error()
			}
			warnings = append(warnings, fmt.Sprintf("%s: chart %s: left at %s: the hash of version %s could not be computed: %s", m.Site.Position(), m.Site.Chart.ID(), m.Site.Chart.Version, m.Version, why))
			continue
		}
		m.Hash = got[i].Hash
		out = append(out, m)
	}
	return out, warnings, nil
}

// movedCharts are the charts releases name once the moves are made, by
// module and by the chart each named before.
func movedCharts(moves []plan.ChartMove) map[string]map[release.Chart]release.Chart {
	out := map[string]map[release.Chart]release.Chart{}
	for _, m := range moves {
		c := m.Site.Chart
		if c.Kind != scan.ChartRepo {
			continue
		}
		was := release.Chart{Repo: c.Repo, Name: c.Name, Version: c.Version, SHA256: c.Hash.Value, DropDotfiles: fetchKind(m.Site) == "downloadHelmChart"}
		now := was
		now.Version, now.SHA256 = m.Version, m.Hash
		if out[m.Site.File] == nil {
			out[m.Site.File] = map[release.Chart]release.Chart{}
		}
		out[m.Site.File][was] = now
	}
	return out
}
