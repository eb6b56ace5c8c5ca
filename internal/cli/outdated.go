package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"text/tabwriter"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/progress"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/tagver"
	"github.com/pinner-dev/pinner/internal/update"
)

// OutdatedCmd lists third-party images with a newer semver tag.
type OutdatedCmd struct {
	JSON       bool     `help:"Print a JSON list: [{\"file\",\"line\",\"ref\",\"current\",\"latest\",\"digest\"}]."`
	Prerelease bool     `help:"Consider pre-release tags (1.2.0-rc.1) too."`
	Major      bool     `help:"Consider new major versions; --no-major keeps each image's current major." default:"true" negatable:""`
	Args       []string `arg:"" optional:"" name:"path-or-ref" predictor:"nix" help:"Files or directories (every *.nix below them), or image references with a version tag (busybox:1.37). Default: ${default_modules}."`
	registryFlags
}

// Help is shown by "pinner outdated --help".
func (OutdatedCmd) Help() string {
	return `For every third-party image site whose tag is a version (1.37, v2.4.1, 1.2.3-alpine), lists the repository's tags and reports the newest one that could replace it: the same prefix style (v or none), as many version numbers, the same variant suffix (-alpine), no pre-release unless --prerelease, and the same major version with --no-major. Only sites with a newer tag are listed, one line each, with the digest the newest tag names now. Images the repository builds (images: in registry.yaml) and ignored repositories are skipped; mirrors and insecure hosts apply, and nothing is written.

An argument that is an existing file or directory is scanned; any other argument must be an image reference with a version tag (busybox:1.37, ghcr.io/x/y:v2.1), which is compared as a site would be (even when registry.yaml owns or ignores it: naming it asks for it) and listed first, in the order given, with "-" for its location (file "" and line 0 in --json).

Exits 0 (the list is information, not a failure), 2 on bad input, 3 when a registry could not list tags (after printing the others).`
}

// outdatedEntry is one site with a newer tag, in the contract's JSON shape.
// A reference given as an argument has File "" and Line 0.
type outdatedEntry struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Ref     string `json:"ref"`
	Current string `json:"current"`
	Latest  string `json:"latest"`
	// Digest is what Latest names now; "" when it could not be resolved.
	Digest string `json:"digest"`
}

// outdatedCandidate is a site or an argument whose tag is a version.
type outdatedCandidate struct {
	file string
	line int
	ref  string
	repo string // normalised: docker.io/library/busybox
	tag  tagver.Tag
}

// Run lists tags and prints.
func (c *OutdatedCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	paths, refs, err := splitPathsAndRefs(c.Args)
	if err != nil {
		return err
	}
	var cands []outdatedCandidate
	for _, r := range refs {
		t, _ := tagver.Parse(r.Tag) // splitPathsAndRefs checked it
		cands = append(cands, outdatedCandidate{ref: r.Written, repo: r.Context(), tag: t})
	}
	var cfg *config.Config
	if len(paths) > 0 || len(refs) == 0 {
		var res *scanResult
		cfg, res, err = loadAndScan(ctx, g, paths)
		if err != nil {
			return err
		}
		if len(res.errors) > 0 {
			printSyntaxErrors(env.Stderr, res.errors)
			return withCode(ExitBadInput, fmt.Errorf("%d syntax error(s)", len(res.errors)))
		}
		owns := update.Owns(cfg)
		for i := range res.sites {
			s := &res.sites[i]
			if s.Form == scan.FormDerived || s.Image.Repository == "" || s.Image.Tag == "" ||
				cfg.Ignored(s.Ref) || owns(s.Image.Context()) {
				continue
			}
			t, ok := tagver.Parse(s.Image.Tag)
			if !ok {
				continue
			}
			cands = append(cands, outdatedCandidate{file: s.File, line: s.Line, ref: s.Ref, repo: s.Image.Context(), tag: t})
		}
	} else if cfg, err = loadConfig(g); err != nil {
		return err
	}
	var repos []string
	seen := map[string]bool{}
	for _, cd := range cands {
		if !seen[cd.repo] {
			seen[cd.repo] = true
			repos = append(repos, cd.repo)
		}
	}

	r, err := c.newResolver(cfg, env.Log)
	if err != nil {
		return err
	}
	tags, lerr := c.listTags(ctx, env, r, repos)

	out := []outdatedEntry{}
	for _, cd := range cands {
		list, ok := tags[cd.repo]
		if !ok {
			continue
		}
		latest, ok := tagver.Newest(cd.tag, list, tagver.Options{Prerelease: c.Prerelease, SameMajor: !c.Major})
		if !ok {
			continue
		}
		out = append(out, outdatedEntry{File: cd.file, Line: cd.line, Ref: cd.ref, Current: cd.tag.Raw, Latest: latest})
	}
	rerr := c.resolveLatest(ctx, env, r, cands, out)
	env.Progress.Close()
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else if len(out) > 0 {
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOCATION\tREFERENCE\tCURRENT\tLATEST\tDIGEST")
		for _, e := range out {
			loc, digest := "-", "-"
			if e.File != "" {
				loc = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			if e.Digest != "" {
				digest = progress.Abbrev(e.Digest)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", loc, shortDigest(e.Ref), e.Current, e.Latest, digest)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if err := writeTable(env.Stdout, buf.Bytes(), env.Color); err != nil {
			return err
		}
	} else if lerr == nil {
		fmt.Fprintf(env.Info, "pinner: every image with a version tag is on the newest one (%s, %s)\n", progress.Plural(len(cands), "image"), progress.Plural(len(repos), "repository"))
	}
	if err := errors.Join(lerr, rerr); err != nil {
		return withCode(ExitOutside, err)
	}
	return nil
}

// resolveLatest fills in the digest each entry's newest tag names now, one
// request per distinct repository and tag.
func (c *OutdatedCmd) resolveLatest(ctx context.Context, env *Env, r *oci.Resolver, cands []outdatedCandidate, out []outdatedEntry) error {
	if len(out) == 0 {
		return nil
	}
	repoOf := map[string]string{}
	for _, cd := range cands {
		repoOf[cd.ref] = cd.repo
	}
	refs := make([]string, len(out))
	for i, e := range out {
		refs[i] = repoOf[e.Ref] + ":" + e.Latest
	}
	env.plainf("resolving the newest tags of %s", progress.Plural(len(out), "image"))
	res, err := r.Resolve(ctx, refs)
	for i := range out {
		out[i].Digest = res[i].Digest
	}
	return err
}

// splitPathsAndRefs tells outdated's arguments apart: an existing file or
// directory is a PATH; anything else must be an image reference whose
// tag is a version, since that is what outdated compares.
func splitPathsAndRefs(args []string) (paths []string, refs []imageref.Ref, err error) {
	for _, a := range args {
		if _, statErr := os.Stat(a); statErr == nil {
			paths = append(paths, a)
			continue
		} else if !errors.Is(statErr, fs.ErrNotExist) {
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("reading %q: %w", a, statErr))
		}
		ref, perr := imageref.Parse(a)
		switch {
		case perr != nil || ref.Tag == "":
			// A mistyped path parses as a repository ("x/y.nix"), so
			// without a tag it is no reference either.
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("%q is neither an existing file or directory nor an image reference with a version tag (busybox:1.37)", a))
		case ref.Digest != "":
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("reference %q has a digest: outdated compares tags; give it without @sha256:...", a))
		}
		if _, ok := tagver.Parse(ref.Tag); !ok {
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("reference %q: tag %q is not a version (1.37, v2.4.1, 1.2.3-alpine); outdated compares version tags", a, ref.Tag))
		}
		refs = append(refs, ref)
	}
	return paths, refs, nil
}

// listTags lists each repository's tags concurrently. The map holds the
// repositories that answered; the error joins the others.
func (c *OutdatedCmd) listTags(ctx context.Context, env *Env, r *oci.Resolver, repos []string) (map[string][]string, error) {
	if len(repos) == 0 {
		return map[string][]string{}, nil
	}
	env.plainf("listing the tags of %s", progress.Plural(len(repos), "repository"))
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
