package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"text/tabwriter"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// OutdatedCmd lists third-party images with a newer semver tag.
type OutdatedCmd struct {
	JSON       bool     `help:"Print a JSON list: [{\"file\",\"line\",\"ref\",\"current\",\"latest\"}]."`
	Prerelease bool     `help:"Consider pre-release tags (1.2.0-rc.1) too."`
	Major      bool     `help:"Consider new major versions; --no-major keeps each image's current major." default:"true" negatable:""`
	Paths      []string `arg:"" optional:"" name:"path" predictor:"nix" help:"Files or directories (every *.nix below them). Default: ${default_modules}."`
	registryFlags
}

// Help is shown by "pinner outdated --help".
func (OutdatedCmd) Help() string {
	return `For every third-party image site whose tag is a version (1.37, v2.4.1, 1.2.3-alpine), lists the repository's tags and reports the newest one that could replace it: the same prefix style (v or none), as many version numbers, the same variant suffix (-alpine), no pre-release unless --prerelease, and the same major version with --no-major. Only sites with a newer tag are listed, one line each. Images the repository builds (images: in registry.yaml) and ignored repositories are skipped; mirrors and insecure hosts apply, and nothing is written.

Exits 0 (the list is information, not a failure), 2 on bad input, 3 when a registry could not list tags (after printing the others).`
}

// outdatedEntry is one site with a newer tag, in the contract's JSON shape.
type outdatedEntry struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Ref     string `json:"ref"`
	Current string `json:"current"`
	Latest  string `json:"latest"`
}

// Run lists tags and prints.
func (c *OutdatedCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, res, err := loadAndScan(ctx, g, c.Paths)
	if err != nil {
		return err
	}
	if len(res.errors) > 0 {
		printSyntaxErrors(env.Stderr, res.errors)
		return withCode(ExitBadInput, fmt.Errorf("%d syntax error(s)", len(res.errors)))
	}
	cat := newCatalogue(cfg)
	type candidate struct {
		site *scan.Site
		tag  tagver.Tag
	}
	var cands []candidate
	var repos []string
	seen := map[string]bool{}
	for i := range res.sites {
		s := &res.sites[i]
		if s.Form == scan.FormDerived || s.Image.Repository == "" || s.Image.Tag == "" ||
			cfg.Ignored(s.Ref) || cat.owns(s.Image.Context()) {
			continue
		}
		t, ok := tagver.Parse(s.Image.Tag)
		if !ok {
			continue
		}
		cands = append(cands, candidate{site: s, tag: t})
		if repo := s.Image.Context(); !seen[repo] {
			seen[repo] = true
			repos = append(repos, repo)
		}
	}

	r, err := c.newResolver(cfg, env.Log)
	if err != nil {
		return err
	}
	tags, lerr := c.listTags(ctx, env, r, repos)
	env.Progress.Close()

	out := []outdatedEntry{}
	for _, cd := range cands {
		list, ok := tags[cd.site.Image.Context()]
		if !ok {
			continue
		}
		latest, ok := tagver.Newest(cd.tag, list, tagver.Options{Prerelease: c.Prerelease, SameMajor: !c.Major})
		if !ok {
			continue
		}
		out = append(out, outdatedEntry{File: cd.site.File, Line: cd.site.Line, Ref: cd.site.Ref, Current: cd.site.Image.Tag, Latest: latest})
	}
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else if len(out) > 0 {
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOCATION\tREFERENCE\tCURRENT\tLATEST")
		for _, e := range out {
			fmt.Fprintf(tw, "%s:%d\t%s\t%s\t%s\n", e.File, e.Line, shortDigest(e.Ref), e.Current, e.Latest)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if err := writeTable(env.Stdout, buf.Bytes(), env.Color); err != nil {
			return err
		}
	} else if lerr == nil {
		fmt.Fprintf(env.Info, "pinner: every image with a version tag is on the newest one (%d site(s), %d repositories)\n", len(cands), len(repos))
	}
	if lerr != nil {
		return withCode(ExitOutside, lerr)
	}
	return nil
}

// listTags lists each repository's tags concurrently. The map holds the
// repositories that answered; the error joins the others.
func (c *OutdatedCmd) listTags(ctx context.Context, env *Env, r *oci.Resolver, repos []string) (map[string][]string, error) {
	if len(repos) == 0 {
		return map[string][]string{}, nil
	}
	env.plainf("listing the tags of %s", plural(len(repos), "repository"))
	bar := env.Progress.Counter("listing tags")
	bar.AddTotal(int64(len(repos)))
	defer bar.Done()

	var (
		mu   sync.Mutex
		out  = map[string][]string{}
		errs = make([]error, len(repos))
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.Jobs)
	for i, repo := range repos {
		g.Go(func() error {
			// Failures stay here so that every repository gets its answer.
			tags, err := r.Tags(gctx, repo)
			bar.Increment()
			if err != nil {
				errs[i] = err
				return nil
			}
			mu.Lock()
			out[repo] = tags
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	return out, errors.Join(errs...)
}
