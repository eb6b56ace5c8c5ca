// Package outdated finds the newer tags of images: for every site (or
// reference) whose tag is a version, the newest tag of its repository that
// could replace it, and the digest that tag names now. It writes nothing.
package outdated

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/progress"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// Entry is one site with a newer tag, in the contract's JSON shape. A
// reference given as an argument has File "" and Line 0.
type Entry struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Ref     string `json:"ref"`
	Current string `json:"current"`
	Latest  string `json:"latest"`
	// Digest is what Latest names now; "" when it could not be resolved.
	Digest string `json:"digest"`
}

// Candidate is a site or an argument whose tag is a version.
type Candidate struct {
	File string
	Line int
	Ref  string
	Repo string // normalised: docker.io/library/busybox
	Tag  tagver.Version
}

// FromSites are the candidates among sites: third-party images (not
// built by the repository, not ignored) whose tag is a version.
func FromSites(cfg *config.Config, owns func(repo string) bool, sites []scan.Site) []Candidate {
	var out []Candidate
	for i := range sites {
		s := &sites[i]
		if !s.Managed(cfg.Ignored) || s.Image.Repository == "" || s.Image.Tag == "" || owns(s.Image.Context()) {
			continue
		}
		t, ok := tagver.Loose.Parse(s.Image.Tag)
		if !ok {
			continue
		}
		out = append(out, Candidate{File: s.File, Line: s.Line, Ref: s.Ref, Repo: s.Image.Context(), Tag: t})
	}
	return out
}

// SplitArgs tells outdated's arguments apart: an existing file or
// directory is a path; anything else must be an image reference whose tag
// is a version, since that is what outdated compares. Bad ones are bad
// input.
func SplitArgs(args []string) (paths []string, refs []Candidate, err error) {
	for _, a := range args {
		if _, statErr := os.Stat(a); statErr == nil {
			paths = append(paths, a)
			continue
		} else if !errors.Is(statErr, fs.ErrNotExist) {
			return nil, nil, diag.AsBadInput(fmt.Errorf("reading %q: %w", a, statErr))
		}
		ref, perr := imageref.Parse(a)
		switch {
		case perr != nil || ref.Tag == "":
			// A mistyped path parses as a repository ("x/y.nix"), so
			// without a tag it is no reference either.
			return nil, nil, diag.AsBadInput(fmt.Errorf("%q is neither an existing file or directory nor an image reference with a version tag (busybox:1.37)", a))
		case ref.Digest != "":
			return nil, nil, diag.AsBadInput(fmt.Errorf("reference %q has a digest: outdated compares tags; give it without @sha256:...", a))
		}
		t, ok := tagver.Loose.Parse(ref.Tag)
		if !ok {
			return nil, nil, diag.AsBadInput(fmt.Errorf("reference %q: tag %q is not a version (1.37, v2.4.1, 1.2.3-alpine); outdated compares version tags", a, ref.Tag))
		}
		refs = append(refs, Candidate{Ref: ref.Written, Repo: ref.Context(), Tag: t})
	}
	return paths, refs, nil
}

// Options are how newer tags are chosen and listed.
type Options struct {
	Prerelease bool // pre-release tags count
	SameMajor  bool // only tags of each image's current major
	Jobs       int  // repositories listed at once
	// Progress shows the listing and resolving; nil shows nothing.
	Progress *progress.Reporter
}

// Find lists the candidates' repositories' tags and returns, in the order
// of cands, the entries with a newer tag, each with the digest its newest
// tag names now; repos is how many repositories were asked. The error
// joins the repositories that could not list their tags and the digests
// that could not be resolved; the entries are those found all the same.
func Find(ctx context.Context, r *oci.Resolver, cands []Candidate, o Options) (out []Entry, repos int, err error) {
	var list []string
	seen := map[string]bool{}
	for _, cd := range cands {
		if !seen[cd.Repo] {
			seen[cd.Repo] = true
			list = append(list, cd.Repo)
		}
	}
	tags, lerr := listTags(ctx, r, list, o)
	out = []Entry{}
	var latestRefs []string
	for _, cd := range cands {
		all, ok := tags[cd.Repo]
		if !ok {
			continue
		}
		latest, ok := newest(cd.Tag, all, o)
		if !ok {
			continue
		}
		out = append(out, Entry{File: cd.File, Line: cd.Line, Ref: cd.Ref, Current: cd.Tag.Raw, Latest: latest})
		latestRefs = append(latestRefs, cd.Repo+":"+latest)
	}
	var rerr error
	if len(out) > 0 {
		plainf(o.Progress, "resolving the newest tags of %s", progress.Plural(len(out), "image"))
		res, err := r.Resolve(ctx, latestRefs)
		for i := range out {
			out[i].Digest = res[i].Digest
		}
		rerr = err
	}
	return out, len(list), errors.Join(lerr, rerr)
}

func plainf(p *progress.Reporter, format string, args ...any) {
	if p != nil && p.Mode() == progress.Plain {
		p.Logf(format, args...)
	}
}

// listTags lists each repository's tags concurrently. The map holds the
// repositories that answered; the error joins the others.
func listTags(ctx context.Context, r *oci.Resolver, repos []string, o Options) (map[string][]string, error) {
	if len(repos) == 0 {
		return map[string][]string{}, nil
	}
	plainf(o.Progress, "listing the tags of %s", progress.Plural(len(repos), "repository"))
	bar := o.Progress.Counter("listing tags")
	bar.AddTotal(int64(len(repos)))
	defer bar.Done()

	var (
		mu   sync.Mutex
		out  = map[string][]string{}
		errs = make([]error, len(repos))
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Jobs, 1))
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

// newest is the newest tag that can replace cur under o.
func newest(cur tagver.Version, tags []string, o Options) (string, bool) {
	for _, v := range tagver.Newer(tagver.Loose, cur, tags) {
		if v.Pre != "" && !o.Prerelease || o.SameMajor && tagver.StepOf(cur, v) == tagver.Major {
			continue
		}
		return v.Raw, true
	}
	return "", false
}
