package chart

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/release"
	"github.com/pinner-dev/pinner/internal/scan"
)

// Fetcher returns the local path of a chart a release fetches from a chart
// repository (kubenix's helm.fetch): for pinner, the store path Nix builds.
type Fetcher func(ctx context.Context, c release.Chart) (string, error)

// Loaded are the charts of releases, read once (fetching can take long:
// update does it before scanning the modules, so that the scan and the
// edits stay close together).
type Loaded map[release.Chart]result

type result struct {
	c   *Chart
	err error
}

// fetchJobs bounds the charts fetched at once: each is a Nix build that
// mostly waits for its repository.
const fetchJobs = 4

// Add reads the chart of every release of mods that l does not hold yet,
// fetchJobs at a time.
func (l Loaded) Add(ctx context.Context, mods []Module, fetch Fetcher) {
	var todo []*release.Release
	queued := map[release.Chart]bool{}
	for _, m := range mods {
		for _, r := range m.Releases {
			if _, ok := l[r.Chart]; !ok && !queued[r.Chart] {
				queued[r.Chart] = true
				todo = append(todo, r)
			}
		}
	}
	got := make([]result, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchJobs)
	for i, r := range todo {
		g.Go(func() error {
			// A chart that cannot be read is its own result, never the
			// others' failure.
			c, err := load(gctx, r, fetch)
			got[i] = result{c, err}
			return nil
		})
	}
	_ = g.Wait()
	for i, r := range todo {
		l[r.Chart] = got[i]
	}
}

// Module is one parsed module and the releases it declares.
type Module struct {
	File     *syntax.File
	Releases []*release.Release
}

// Pins are the values pins of every image the releases' charts set by
// default that the modules do not write whole: a chart default the values
// leave alone, or a tag (or repository) the values set while the rest
// comes from the chart. sites are the modules' scanned sites; ignored
// reports repositories never touched. Charts that cannot be read are
// warnings: their images stay unpinned.
func Pins(mods []Module, charts Loaded, sites []scan.Site, ignored func(string) bool) (pins []plan.ValuesPin, warnings []string) {
	whole := map[string]bool{}   // attribute paths of sites written whole
	partial := map[string]bool{} // ... and of repository-only partial sites
	for _, s := range sites {
		switch {
		case s.Form == scan.FormPartial && !strings.HasPrefix(s.Ref, ":") && !strings.HasPrefix(s.Ref, "@"):
			partial[s.File+" "+s.AttrPath] = true
		case s.Form != scan.FormPartial:
			whole[s.File+" "+s.AttrPath] = true
		}
	}
	for _, m := range mods {
		for _, r := range m.Releases {
			res, ok := charts[r.Chart]
			c, err := res.c, res.err
			if !ok {
				err = fmt.Errorf("its chart was not read")
			}
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%s: helm release %s: %v; the images its chart sets by default stay unpinned", r.Position(), r.Name, err))
				continue
			}
			for _, im := range c.Images {
				at := m.File.Name + " " + r.ValuesPath + "." + strings.Join(im.Path, ".")
				if whole[at] {
					continue
				}
				pin, err := pinOf(m.File, r, c, im, partial[at])
				switch {
				case err != nil:
					warnings = append(warnings, fmt.Sprintf("%s: helm release %s: values.%s: %v", r.Position(), r.Name, strings.Join(im.Path, "."), err))
				case pin != nil && (ignored == nil || !ignored(imageref.Ref{Repository: pin.repo}.Context())):
					pins = append(pins, pin.ValuesPin)
				}
			}
		}
	}
	return pins, warnings
}

// load reads the chart of a release.
func load(ctx context.Context, r *release.Release, fetch Fetcher) (*Chart, error) {
	switch {
	case r.Chart.Path != "":
		return Load(r.Chart.Path)
	case r.Chart.Name != "":
		p, err := fetch(ctx, r.Chart)
		if err != nil {
			return nil, fmt.Errorf("chart %s %s from %s is not available: %w", r.Chart.Name, r.Chart.Version, r.Chart.Repo, err)
		}
		return Load(p)
	}
	return nil, fmt.Errorf("chart not known: %s", r.Chart.Reason)
}

type pin struct {
	plan.ValuesPin
	repo string
}

// pinOf is the pin of one chart image, nil when the values write it whole.
func pinOf(f *syntax.File, r *release.Release, c *Chart, im Image, repoOnly bool) (*pin, error) {
	key := func(k string) []string { return append(append([]string(nil), im.Path...), k) }
	var reg, repo, tag, digest string
	if !im.String {
		reg, _ = r.Lookup(key("registry"))
		repo, _ = r.Lookup(key("repository"))
		tag, _ = r.Lookup(key("tag"))
		digest, _ = r.Lookup(key("digest"))
		if repoOnly && repo == "" {
			return nil, fmt.Errorf("its repository is not a string literal of the module")
		}
		if t, d, ok := strings.Cut(tag, "@"); ok {
			tag, digest = t, d
		}
	}
	global, _ := r.Lookup([]string{"global", "imageRegistry"})
	ref, err := c.Ref(im, global, reg, repo, tag)
	if err != nil {
		return nil, err
	}
	source := fmt.Sprintf("values.%s of helm release %s (chart %s %s)", strings.Join(im.Path, "."), r.Name, c.Name, c.Version)
	if repo == "" && tag == "" {
		source = "chart default " + source
	}
	// What is written, and where.
	var (
		path  []string
		value func(d string) string
	)
	switch {
	case im.String:
		path, value = im.Path, func(d string) string { return ref.Repository + ":" + ref.Tag + "@" + d }
	case im.Digest:
		path, value = key("digest"), func(d string) string { return d }
	default:
		path, value = key("tag"), func(d string) string { return ref.Tag + "@" + d }
	}
	return &pin{repo: ref.Repository, ValuesPin: plan.ValuesPin{
		File: f.Name, Src: f.Src, Key: ref.Key(), Current: digest, Source: source,
		Edit: func(d string) (plan.Edit, error) { return r.Set(f, path, value(d)) },
		Check: func(nf *syntax.File, d string) error {
			for _, nr := range release.Find(nf) {
				if nr.Name != r.Name {
					continue
				}
				if got, ok := nr.Lookup(path); !ok || got != value(d) {
					return fmt.Errorf("after the edit, values.%s of helm release %s reads %q, want %q", strings.Join(path, "."), r.Name, got, value(d))
				}
				return nil
			}
			return fmt.Errorf("after the edit, helm release %s is gone", r.Name)
		},
	}}, nil
}
