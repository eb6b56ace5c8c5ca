package scan

import (
	"path"
	"regexp"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// FormChart is the argument set of a chart fetch: a Helm chart Nix
// fetches by repository, name and version, pinned by its fixed-output
// hash (kubenix's helm.fetch, nixidy's downloadHelmChart, a fetchurl of a
// chart's .tgz). It is no image: Managed is false for it, and the chart
// commands (outdated, update) read Site.Chart.
const FormChart Form = "chart"

// ChartKind is how a chart fetch names its chart.
type ChartKind string

const (
	// ChartRepo: repo, chart and version keys (helm.fetch,
	// downloadHelmChart).
	ChartRepo ChartKind = "repo"
	// ChartURL: the URL of the chart's archive, NAME-VERSION.tgz
	// (fetchurl).
	ChartURL ChartKind = "url"
)

// ChartEdit is what pinner knows of a chart fetch and where its version
// and hash are written.
type ChartEdit struct {
	Kind ChartKind `json:"kind"`
	// Repo is the chart repository ("https://charts.jetstack.io",
	// "oci://ghcr.io/acme/charts"); for ChartURL, the URL's directory.
	Repo    string `json:"repo"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// URL is the archive's URL (ChartURL only).
	URL string `json:"url,omitempty"`
	// Func is the function the set is passed to, as written
	// ("kubenix.lib.helm.fetch", "pkgs.fetchurl"); "" when the set is not
	// written as an argument.
	Func string `json:"-"`
	// Versions are the texts that spell the version: one for ChartRepo;
	// for ChartURL every occurrence of the version in the URL (a release
	// URL names it in the path and the file). Empty when one is not a
	// literal of this file.
	Versions []Text `json:"-"`
	// NameKey and VersionKey are the keys the chart's name and version
	// are bound to ("chart", "chartName"; "version", "chartVersion").
	NameKey    string `json:"-"`
	VersionKey string `json:"-"`
	// VersionInherit is the binding `inherit version;` when that is how
	// the set takes its version (and the binding inherits nothing else).
	VersionInherit syntax.Span `json:"-"`
	// HashKey is the key the hash is bound to ("sha256", "hash",
	// "chartHash"), Hash the hash as written when it is a literal here.
	HashKey string `json:"hash_key,omitempty"`
	Hash    *Text  `json:"-"`
}

// ID is the chart's repository and name without the scheme:
// "charts.jetstack.io/cert-manager", "ghcr.io/acme/charts/api". Policies
// match it, as they match an image's repository.
func (c *ChartEdit) ID() string { return ChartID(c.Repo, c.Name) }

// ChartID is the ID of chart name in repository repo.
func ChartID(repo, name string) string {
	r := repo
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
	}
	return strings.TrimRight(r, "/") + "/" + name
}

// The keys of a chart fetch, by role, in the order they are preferred.
var (
	chartNameKeys    = [...]string{"chart", "chartName"}
	chartVersionKeys = [...]string{"version", "chartVersion"}
	chartHashKeys    = [...]string{"hash", "sha256", "chartHash"}
)

// chartArchiveRE splits a chart archive's file name into the chart's
// name and version: Helm names archives NAME-VERSION.tgz, and a version
// starts with a digit (or v and a digit).
var chartArchiveRE = regexp.MustCompile(`^(.+?)-(v?[0-9]+\.[0-9][0-9A-Za-z.+_-]*)\.tgz$`)

// chartKey is the entry of the first of names m binds to a value.
func chartKey(m *attrSet, names []string) *ent {
	for _, n := range names {
		if b := m.get(n); b != nil && b.kind != entNested {
			return b
		}
	}
	return nil
}

// isChartSet reports whether m is the argument set of a chart fetch: a
// repo, a chart name and a version with a hash, or an archive URL with a
// hash. Its keys, not the function's name, tell it, so that a wrapper of
// the user's own is one too.
func isChartSet(m *attrSet) bool {
	if chartKey(m, chartHashKeys[:]) == nil {
		return false
	}
	if m.get("repo") != nil && chartKey(m, chartNameKeys[:]) != nil && chartKey(m, chartVersionKeys[:]) != nil {
		return true
	}
	return m.get("url") != nil && m.get("repo") == nil
}

// checkChart records the chart site of m, when its values say which
// chart: strings, known or not.
func (s *scanner) checkChart(m *attrSet) {
	keys := map[string]*setKey{}
	roles := map[string][]string{"repo": {"repo"}, "name": chartNameKeys[:], "version": chartVersionKeys[:], "url": {"url"}}
	for role, names := range roles {
		b := chartKey(m, names)
		if b == nil {
			continue
		}
		v := s.ev.entValue(b, 0)
		if _, ok := v.(*strVal); !ok {
			// A version (or name) given elsewhere (cfg.version) is shown
			// as written; the site cannot be updated.
			if _, ok := v.(*unknownVal); !ok || b.kind != entExpr || b.expr == nil {
				continue
			}
			v = &strVal{text: "${" + s.text(b.expr.NodeSpan()) + "}", parts: []part{{unknown: "not a string of this file"}}}
		}
		keys[role] = &setKey{name: b.name, bind: b.decl, val: v}
	}
	switch {
	case keys["repo"] != nil && keys["name"] != nil && keys["version"] != nil:
		delete(keys, "url")
	case keys["url"] != nil && keys["repo"] == nil:
		sv := keys["url"].val.(*strVal)
		if !sv.known() || !strings.HasSuffix(sv.text, ".tgz") {
			return
		}
		if !chartArchiveRE.MatchString(path.Base(sv.text)) {
			return
		}
	default:
		return
	}
	s.add(m, func() *candidate { return &candidate{form: FormChart, set: m, keys: keys} }, nil)
}

// chartSite builds the site of a chart fetch.
func (s *scanner) chartSite(c *candidate) *Site {
	ce := &ChartEdit{Kind: ChartRepo}
	first := c.keys["repo"]
	if u := c.keys["url"]; u != nil {
		ce.Kind, first = ChartURL, u
	}
	pos, _ := firstLiteral(first)
	site := s.newSite(FormChart, pos, first.bind)
	site.AttrPath = s.pathString(s.locate(first.bind).path)
	site.decl = s.setDecl(c)
	if set, ok := c.set.node.(*syntax.AttrSet); ok {
		if fn := s.callee[set]; fn != nil {
			ce.Func = s.text(fn.NodeSpan())
		}
	}
	known := true
	text := func(role string) string {
		sv := c.keys[role].val.(*strVal)
		if !sv.known() {
			known = false
		}
		return sv.text
	}
	var versions []Text
	if ce.Kind == ChartRepo {
		ce.Repo, ce.Name, ce.Version = text("repo"), text("name"), text("version")
		ce.NameKey, ce.VersionKey = c.keys["name"].name, c.keys["version"].name
		k := c.keys["version"]
		if sv := k.val.(*strVal); sv.known() {
			sv = k.used(sv)
			if b, ok := k.bind.(*syntax.Inherit); ok && len(b.Names) == 1 && b.From == nil {
				ce.VersionInherit = b.NodeSpan()
			}
			versions = s.texts(sv, 0, len(sv.text))
			if len(versions) != 1 {
				versions = nil
			}
		}
	} else {
		sv := c.keys["url"].val.(*strVal)
		ce.URL = sv.text
		m := chartArchiveRE.FindStringSubmatch(path.Base(sv.text))
		ce.Repo, ce.Name, ce.Version = strings.TrimSuffix(sv.text, path.Base(sv.text)), m[1], m[2]
		ce.Repo = strings.TrimRight(ce.Repo, "/")
		versions = s.occurrences(sv, ce.Version)
	}
	site.Ref = ce.ID() + ":" + ce.Version
	if b := chartKey(c.set, chartHashKeys[:]); b != nil {
		ce.HashKey = b.name
		if sv, ok := s.ev.entValue(b, 0).(*strVal); ok && sv.known() && sv.text != "" {
			site.Pinned = true
			if ts := s.texts(sv, 0, len(sv.text)); len(ts) == 1 && ts[0].Span.End-ts[0].Span.Start == len(sv.text) {
				ce.Hash = &ts[0]
			}
		}
	}
	ce.Versions = versions
	site.Chart = ce
	switch {
	case !known:
		site.Reason = "part of the chart's repository, name or version is not known statically"
	case len(versions) == 0:
		site.Reason = "its version is not a string of this file pinner can rewrite"
	case ce.Hash == nil:
		site.Reason = "its hash is not a string of this file; pinner cannot write the hash a new version needs"
	default:
		site.Editable = true
	}
	return site
}

// occurrences are the texts of sv that spell each occurrence of word,
// when every one lies within one literal text; nil otherwise.
func (s *scanner) occurrences(sv *strVal, word string) []Text {
	var out []Text
	for off := 0; off < len(sv.text); {
		i := strings.Index(sv.text[off:], word)
		if i < 0 {
			break
		}
		a := off + i
		ts := s.texts(sv, a, a+len(word))
		if len(ts) != 1 || ts[0].Span.End-ts[0].Span.Start != len(word) {
			return nil
		}
		out = append(out, ts[0])
		off = a + len(word)
	}
	return out
}
