// Package outdated finds the newer tags of images: for every site (or
// reference) whose tag is a version, the newest tag of its repository that
// could replace it, and the digest that tag names now. It writes nothing.
package outdated

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/pinner-dev/pinner/internal/chartrepo"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/policy"
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
	// Class is the step from Current to Latest: patch, minor or major.
	Class string `json:"class"`
	// Update is the tag `pinner update --all` moves to under the policy;
	// "" when the tag stays.
	Update string `json:"update"`
	// Held says why the policy does not move to Latest; "" when it does.
	Held string `json:"held"`
	// Chart is true for a chart fetch: Ref is the chart's repository,
	// name and version, Current and Latest are versions, Digest is "".
	Chart bool `json:"chart,omitempty"`
}

// Candidate is a tagged site or argument.
type Candidate struct {
	File string
	Line int
	Ref  string
	Repo string // normalised: docker.io/library/busybox; a chart's ID
	Tag  string
	// Chart is the chart a chart fetch names; nil for an image.
	Chart *chartrepo.Chart
}

func (c Candidate) key() imageref.Key { return imageref.MakeKey(c.Repo, c.Tag) }

// FromSites are the candidates among sites: third-party images (not
// built by the repository, not ignored) with a tag, and chart fetches
// whose version is written in the modules.
func FromSites(cfg *config.Config, owns func(repo string) bool, sites []scan.Site) []Candidate {
	var out []Candidate
	for i := range sites {
		s := &sites[i]
		if s.ManagedChart(cfg.Ignored) {
			if c := s.Chart; c.Version != "" && !strings.Contains(c.Version, "${") {
				out = append(out, Candidate{File: s.File, Line: s.Line, Ref: s.Ref, Repo: c.ID(), Tag: c.Version, Chart: &chartrepo.Chart{Repo: c.Repo, Name: c.Name}})
			}
			continue
		}
		if !s.Managed(cfg.Ignored) || s.Image.Repository == "" || s.Image.Tag == "" || owns(s.Image.Context()) {
			continue
		}
		out = append(out, Candidate{File: s.File, Line: s.Line, Ref: s.Ref, Repo: s.Image.Context(), Tag: s.Image.Tag})
	}
	return out
}

// SplitArgs tells outdated's arguments apart: an existing file or
// directory is a path; anything else must be an image reference with a
// tag, since that is what outdated compares. Bad ones are bad input.
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
		refs = append(refs, Candidate{Ref: ref.Written, Repo: ref.Context(), Tag: ref.Tag})
	}
	return paths, refs, nil
}

// Options are how newer tags are chosen and listed.
type Options struct {
	Prerelease bool // pre-release tags count
	SameMajor  bool // only tags of each image's current major
	Jobs       int  // repositories listed at once
	// Log receives debug notes of the policies' age checks.
	Log *slog.Logger
	// Progress shows the listing and resolving; nil shows nothing.
	Progress *progress.Reporter
}

// Find lists the candidates' repositories' tags and returns, in the order
// of cands, the entries with a newer tag, each with the digest its newest
// tag names now and what the policy makes of it; repos is how many
// repositories were asked. A reference given as an argument (File "")
// whose tag is not a version under its policy's versioning is bad input.
// Otherwise the error joins the repositories that could not list their
// tags and the digests that could not be resolved; the entries are those
// found all the same.
func Find(ctx context.Context, cfg *config.Config, r *oci.Resolver, cands []Candidate, o Options) (out []Entry, repos int, err error) {
	keys := make([]imageref.Key, len(cands))
	seen := map[string]bool{}
	for i, cd := range cands {
		keys[i] = cd.key()
		if cd.File != "" {
			continue
		}
		scheme := tagver.Loose
		if p := cfg.PolicyFor(cd.Repo); p != nil {
			scheme = p.Versioning
		}
		if _, ok := scheme.Parse(cd.Tag); !ok {
			return nil, 0, diag.AsBadInput(fmt.Errorf("reference %q: tag %q is not a version under versioning %s (1.37, v2.4.1, 1.2.3-alpine); outdated compares version tags", cd.Ref, cd.Tag, scheme))
		}
	}
	// Images and charts are decided apart: each lists its own kind of
	// repository.
	var imageKeys, chartKeys []imageref.Key
	charts := &chartrepo.Registry{OCI: r}
	for i, cd := range cands {
		if cd.Chart != nil {
			charts.Add(*cd.Chart)
			chartKeys = append(chartKeys, keys[i])
		} else {
			imageKeys = append(imageKeys, keys[i])
		}
	}
	popts := policy.Options{All: true, Jobs: o.Jobs, Log: o.Log, Progress: o.Progress}
	decided, derr := policy.Decide(ctx, cfg, r, imageKeys, popts)
	if len(chartKeys) > 0 {
		cdec, cerr := policy.Decide(ctx, cfg, charts, chartKeys, popts)
		for k, d := range cdec {
			decided[k] = d
		}
		derr = errors.Join(derr, cerr)
	}
	out = []Entry{}
	var latestRefs []string
	var imageAt []int // the entries latestRefs resolve
	for i, cd := range cands {
		d := decided[keys[i]]
		if d.Versioned {
			seen[cd.Repo] = true
		}
		latest, ok := newest(d, o)
		if !ok {
			continue
		}
		out = append(out, Entry{File: cd.File, Line: cd.Line, Ref: cd.Ref, Current: cd.Tag, Latest: latest.Raw,
			Class: tagver.StepOf(d.Current, latest).String(), Update: d.To, Held: held(d, latest.Raw), Chart: cd.Chart != nil})
		if cd.Chart == nil {
			latestRefs = append(latestRefs, cd.Repo+":"+latest.Raw)
			imageAt = append(imageAt, len(out)-1)
		}
	}
	var rerr error
	if len(latestRefs) > 0 {
		plainf(o.Progress, "resolving the newest tags of %s", progress.Plural(len(latestRefs), "image"))
		res, err := r.Resolve(ctx, latestRefs)
		for i, at := range imageAt {
			out[at].Digest = res[i].Digest
		}
		rerr = err
	}
	return out, len(seen), errors.Join(derr, rerr)
}

// newest is the newest tag that can replace the current one under o.
func newest(d *policy.Decision, o Options) (tagver.Version, bool) {
	for _, v := range d.Newer {
		if v.Pre != "" && !o.Prerelease || o.SameMajor && tagver.StepOf(d.Current, v) == tagver.Major {
			continue
		}
		return v, true
	}
	return tagver.Version{}, false
}

// held says why the policy does not move the tag to latest.
func held(d *policy.Decision, latest string) string {
	switch {
	case d.To == latest:
		return ""
	case d.Policy == nil:
		return "no policy moves this tag"
	case d.Policy.Update == tagver.Digest:
		return "update: digest keeps the tag"
	}
	for _, h := range d.Held {
		if h.Tag == latest {
			return h.Reason
		}
	}
	return "held back by the policy"
}

func plainf(p *progress.Reporter, format string, args ...any) {
	if p != nil && p.Mode() == progress.Plain {
		p.Logf(format, args...)
	}
}
