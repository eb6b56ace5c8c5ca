// Package update is the pipeline of `pinner update`: it reads the
// repository's modules, builds and pushes the images the repository owns,
// resolves the third-party ones, plans the pins, and writes the modules,
// the changelog, the lock and the pull-request summary — all or nothing.
// The command line gives it Options and shows its Result; it prints
// nothing itself (progress goes to the Reporter it is given).
//
//	workspace (files) ─▶ scan ─▶ plan ◀─ owned (nix build ─▶ load ─▶ push)
//	                              │   ◀─ oci (resolve tags)
//	                              ▼
//	                   rewrite (modules, changelog, lock, PR body)
package update

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/chart"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/diff"
	"github.com/pinner-dev/pinner/internal/lint"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/progress"
	"github.com/pinner-dev/pinner/internal/release"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// DefaultTimeout is the command line's default Timeout: a stalled registry
// once kept a run going for 461 s. Generous for resolving and pushing; a
// first Nix build of large images may need more.
const DefaultTimeout = 15 * time.Minute

// Options say what a run does.
type Options struct {
	// All selects every site; otherwise Targets (image names from the
	// configuration, or references and repositories) do.
	All     bool
	Targets []string

	DryRun  bool // plan and show, write nothing
	NoBuild bool // leave the owned images' sites alone
	NoPush  bool // build, and pin what a push would produce
	// FromBuilds are files of `pinner build --push --json` output: the
	// owned images they name are assembled from the platform images
	// pushed by digest, tagged and pinned; nothing is built.
	FromBuilds []string
	// Push, for Build only: push each platform's image by digest.
	Push        bool
	PushTo      string // "", "registry" or "oci:DIR": where owned images go
	NoChangelog bool
	// PRBody, when set, is where the Markdown summary goes.
	PRBody string
	// Wait for another update of the repository instead of failing.
	Wait bool
	// Timeout bounds the whole run; 0 is no limit.
	Timeout time.Duration

	// Registry settings of every request.
	Registry Registry
	// Builder builds owned images; nil runs Nix in the configuration's
	// directory.
	Builder owned.Builder
	// Write replaces the files; nil is rewrite.WriteAll.
	Write func([]rewrite.Output) error

	// Log receives progress at info and debug level; nil discards it.
	Log *slog.Logger
	// Progress shows the build, the pushes and the resolving; nil shows
	// nothing. OnResolve, when set, is told of each reference resolved.
	Progress  *progress.Reporter
	OnResolve func(oci.ResolveEvent)
}

// Registry is how registries are talked to.
type Registry struct {
	Jobs           int
	RequestTimeout time.Duration
	RetryAttempts  int
	RetryBackoff   time.Duration
}

// options are the oci options of a run's resolver and publisher.
func (r Registry) options(cfg *config.Config, log *slog.Logger) []oci.Option {
	return []oci.Option{
		oci.WithJobs(r.Jobs),
		oci.WithMirrors(cfg.Mirrors),
		oci.WithInsecure(cfg.Insecure),
		oci.WithRequestTimeout(r.RequestTimeout),
		oci.WithRetry(r.RetryAttempts, r.RetryBackoff, max(oci.DefaultMaxBackoff, r.RetryBackoff)),
		oci.WithLogger(log),
	}
}

// Result is what a run did (or, with DryRun, would do).
type Result struct {
	Plan *plan.Plan
	// Outputs are the files that change, in the order they are replaced.
	Outputs []Output
	// Owned are the images built.
	Owned []owned.Result
	// Warnings are said before the plan's notes.
	Warnings []string
	// Resolver is the run's, for its statistics.
	Resolver *oci.Resolver
	// Sites scanned.
	Sites int
	// Unhashed counts the sites left as they were because the hash
	// their new version needs could not be computed (Warnings say why):
	// the run did not do all it should.
	Unhashed int

	ann annotations
}

// Output is one file the run writes.
type Output struct {
	Path   string
	Old    []byte
	Exists bool
	New    []byte
}

// Diff is the unified diff of the outputs, file names relative to the
// working directory (cwd).
func (r *Result) Diff(cwd string) string {
	var out string
	for _, o := range r.Outputs {
		var old []byte
		if o.Exists {
			old = o.Old
		}
		out += diff.Unified(workspace.RelativeTo(cwd, o.Path), old, o.New)
	}
	return out
}

// SyntaxError is a run stopped by modules that do not parse.
type SyntaxError struct{ Errors diag.List }

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d syntax error(s); fix them before updating", len(e.Errors))
}

// Unwrap makes it bad input.
func (e *SyntaxError) Unwrap() error { return e.Errors }

// errRunTimeout is the cause of the run's context when Timeout passes.
var errRunTimeout = errors.New("--timeout passed")

// Run updates the repository of cfg. Errors are marked with their kind
// (diag.KindOf): bad input, or an outside failure.
func Run(ctx context.Context, cfg *config.Config, o Options) (*Result, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Write == nil {
		o.Write = rewrite.WriteAll
	}
	if o.Timeout < 0 {
		return nil, diag.AsBadInput(fmt.Errorf("--timeout %v: want a positive duration, or 0 for no limit", o.Timeout))
	}
	if o.Timeout == 0 {
		return run(ctx, cfg, o)
	}
	rctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, errRunTimeout)
	defer cancel()
	res, err := run(rctx, cfg, o)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(rctx), errRunTimeout) {
		return nil, diag.AsOutside(fmt.Errorf("the update did not finish within %v (--timeout); nothing was written: %w", o.Timeout, err))
	}
	return res, err
}

func run(ctx context.Context, cfg *config.Config, o Options) (*Result, error) {
	switch {
	case o.All && len(o.Targets) > 0:
		return nil, diag.AsBadInput(errors.New("--all and NAME|REF arguments exclude each other"))
	case !o.All && len(o.Targets) == 0:
		return nil, diag.AsBadInput(errors.New("nothing to update: pass --all, or image names or references"))
	}
	if err := checkOutputs(cfg, o); err != nil {
		return nil, err
	}
	if !o.DryRun {
		// Held from before the files are read until after they are written.
		l, err := lockRun(ctx, cfg, o.Wait)
		if err != nil {
			return nil, err
		}
		defer l.Release()
	}
	files, err := workspace.Modules(cfg)
	if err != nil {
		return nil, err
	}
	var charts chart.Loaded
	if o.All {
		if charts, err = loadCharts(ctx, cfg, files); err != nil {
			return nil, err
		}
	}
	sites, perrs, err := scan.Files(ctx, files, 0)
	if err != nil {
		return nil, diag.AsOutside(err)
	}
	if len(perrs) > 0 {
		return nil, &SyntaxError{Errors: perrs}
	}
	if cfg.Nix2containerPullFunction != "" {
		scan.AllowNix2container(sites)
	}
	res := &Result{Sites: len(sites)}

	cat := newCatalogue(cfg)
	sel, named, warnings, err := selector(cfg, o, sites, cat)
	if err != nil {
		return nil, err
	}
	lc := lint.New(cfg)
	lc.Add(sites)
	res.Warnings = append(lc.Warnings(), warnings...)
	ropts := o.Registry.options(cfg, o.Log)
	if o.OnResolve != nil {
		ropts = append(ropts, oci.WithOnResolve(o.OnResolve))
	}
	r, err := oci.NewResolver(ropts...)
	if err != nil {
		return nil, diag.AsBadInput(err)
	}
	res.Resolver = r
	oldLock, err := readLock(cfg)
	if err != nil {
		return nil, err
	}

	// Owned images: build (and push) first; their digests are then
	// pinned like resolved ones.
	var built map[string]*owned.Result
	var ownedSrc plan.Source
	if !o.NoBuild || len(o.FromBuilds) > 0 {
		images := ownedImages(cfg, sites, cat, sel, named)
		if len(images) > 0 {
			dest, err := pushDest(cfg, o.PushTo)
			if err != nil {
				return nil, err
			}
			b := ownedBuild{cfg: cfg, o: o, dest: dest, push: !o.NoPush && !o.DryRun, lock: oldLock}
			if len(o.FromBuilds) > 0 {
				res.Owned, err = b.assemble(ctx, images, o.FromBuilds)
			} else {
				res.Owned, err = b.build(ctx, images)
			}
			if errors.Is(err, nixbuild.ErrNixNotFound) {
				return nil, diag.AsOutside(fmt.Errorf("%w; or pass --no-build to pin third-party images only", err))
			}
			var nerr *nixbuild.Error
			if errors.As(err, &nerr) && ctx.Err() == nil {
				// After the log's tail, the way past it for a run that
				// needs only the third-party pins (the kind stays).
				err = fmt.Errorf("%w\nnothing was written; to pin only the third-party images meanwhile, run the update again with --no-build", err)
			}
			if err != nil {
				return nil, err
			}
			logBuilt(ctx, o.Log, res.Owned)
		}
		built = map[string]*owned.Result{}
		fixed := plan.Fixed{}
		for i := range res.Owned {
			built[res.Owned[i].Name] = &res.Owned[i]
			fixed[string(res.Owned[i].Key)] = res.Owned[i].Digest
		}
		ownedSrc = fixed
	}
	moves, err := tagMoves(ctx, cfg, r, sites, sel, cat, o)
	if err != nil {
		return nil, err
	}
	// Charts move first: the images a moved chart sets by default are
	// pinned from the version it moves to, whose hash says where it is.
	charted, warns, err := chartMoves(ctx, cfg, r, sites, o)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, warns...)
	charted, warns, err = chartHashes(ctx, cfg, charted)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, warns...)
	res.Unhashed = len(warns)
	var values []plan.ValuesPin
	if len(charts) > 0 {
		var warns []string
		values, warns, err = chartPins(ctx, cfg, files, charts, sites, movedCharts(charted))
		if err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, warns...)
	}
	p, err := plan.Make(ctx, sites, plan.Options{
		Values:     values,
		Style:      cfg.Style,
		ThirdParty: plan.Registry{Resolver: r},
		Owned:      ownedSrc,
		OwnedTag: func(s *scan.Site) string {
			if img := cat.imageOf(s); img != nil && built[img.Name] != nil {
				return built[img.Name].Tag
			}
			return ""
		},
		IsOwned:  cat.owns,
		Ignored:  cfg.Ignored,
		Select:   sel,
		Move:     moveOf(moves),
		Recorded: oldLock.Digests(),
		PullHash: pullHashes(cfg),
		Charts:   charted,
	})
	if errors.Is(err, plan.ErrChanged) {
		return nil, diag.AsOutside(changedError(cfg, err, o.DryRun))
	}
	if err != nil {
		return nil, diag.AsOutside(err)
	}
	res.Plan = p
	res.ann.classes = classesOf(cfg, p)
	var warn []string
	res.ann.notes, warn = releaseNotes(ctx, r, p)
	res.Warnings = append(res.Warnings, warn...)

	outs, err := outputs(cfg, o, p, res.ann, oldLock, res.Owned)
	if err != nil {
		return nil, err
	}
	// The modules are renamed into place first, then the changelog, then
	// the lock: the changelog records only digests some file got (the
	// other way round, a run stopped between renames left entries for
	// digests no file ever had, once the tag moved). A run killed after a
	// module's rename leaves digests the lock does not record; the next
	// run finds them (plan.Unrecorded) and records them then, so the end
	// result is an uninterrupted run's.
	slices.SortStableFunc(outs, func(a, b Output) int {
		return cmp.Compare(writeOrder(cfg, a.Path), writeOrder(cfg, b.Path))
	})
	res.Outputs = outs
	var ws []rewrite.Output
	if !o.DryRun {
		removeStaleTemps(siteDirs(sites), outputPaths(cfg, outs, o.PRBody))
		for _, out := range outs {
			ws = append(ws, rewrite.Output{Path: out.Path, Data: out.New})
		}
	}
	if o.PRBody != "" {
		// With the others, so that a --pr-body that cannot be written
		// fails the run before any file is replaced; renamed last, so
		// that it describes only changes already made.
		ws = append(ws, rewrite.Output{Path: o.PRBody, Data: []byte(changelog.PRBody(entries(cfg, p, res.ann)))})
	}
	if len(ws) > 0 {
		if err := o.Write(ws); err != nil {
			if errors.Is(err, rewrite.ErrHardLinked) {
				return nil, diag.AsBadInput(err)
			}
			return nil, diag.AsOutside(err)
		}
	}
	return res, nil
}

// releases are the modules that declare Helm releases.
func releases(files []string) ([]chart.Module, error) {
	var mods []chart.Module
	for _, p := range files {
		rs, f, err := release.Read(p)
		if err != nil {
			return nil, diag.AsOutside(err)
		}
		if len(rs) > 0 {
			fetchedCharts(f, rs)
			mods = append(mods, chart.Module{File: f, Releases: rs})
		}
	}
	return mods, nil
}

// fetchedCharts completes the releases whose chart release.Find could not
// read from syntax alone (a version through a variable, downloadHelmChart,
// arguments bound in a let) with the file's chart sites: the fetch at
// the release's chart, or the set its argument names.
func fetchedCharts(f *syntax.File, rs []*release.Release) {
	var sites []scan.Site
	for _, r := range rs {
		if r.Chart.Path != "" || r.Chart.Name != "" {
			continue
		}
		if sites == nil {
			sites = scan.File(f)
		}
		at := strings.TrimSuffix(r.ValuesPath, ".values") + ".chart"
		for i := range sites {
			s := &sites[i]
			if s.Form != scan.FormChart || (s.AttrPath != at && (r.Chart.Arg == "" || s.AttrPath != r.Chart.Arg)) {
				continue
			}
			c := s.Chart
			if c.Kind != scan.ChartRepo || c.Hash == nil || strings.Contains(s.Ref, "${") {
				break
			}
			r.Chart = release.Chart{Repo: c.Repo, Name: c.Name, Version: c.Version, SHA256: c.Hash.Value,
				DropDotfiles: fetchKind(s) == "downloadHelmChart"}
			break
		}
	}
}

// loadCharts reads the chart of every Helm release of the modules; a
// chart from a chart repository is built through Nix, as kubenix fetches
// it.
func loadCharts(ctx context.Context, cfg *config.Config, files []string) (chart.Loaded, error) {
	mods, err := releases(files)
	if err != nil || len(mods) == 0 {
		return nil, err
	}
	l := chart.Loaded{}
	l.Add(ctx, mods, chartFetcher(cfg))
	return l, nil
}

func chartFetcher(cfg *config.Config) chart.Fetcher {
	b := &nixbuild.Builder{Dir: cfg.Dir}
	return func(ctx context.Context, c release.Chart) (string, error) {
		plain := ociHost(c.Repo) != "" && slices.Contains(cfg.Insecure, ociHost(c.Repo))
		return b.FetchChart(ctx, nixbuild.Chart{Repo: c.Repo, Name: c.Name, Version: c.Version, SHA256: c.SHA256, DropDotfiles: c.DropDotfiles, PlainHTTP: plain}, "")
	}
}

// chartPins are the pins of the images the charts set by default (see
// chart.Pins), against the modules as read again now, beside the scan. A
// release whose chart moves is pinned from the chart it moves to, read
// now.
func chartPins(ctx context.Context, cfg *config.Config, files []string, charts chart.Loaded, sites []scan.Site, moved map[string]map[release.Chart]release.Chart) ([]plan.ValuesPin, []string, error) {
	mods, err := releases(files)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range mods {
		for _, r := range m.Releases {
			if now, ok := moved[m.File.Name][r.Chart]; ok {
				r.Chart = now
			}
		}
	}
	charts.Add(ctx, mods, chartFetcher(cfg))
	pins, warns := chart.Pins(mods, charts, sites, cfg.Ignored)
	return pins, warns, nil
}

// Note is something the plan says of a site: a warning (the site stays as
// it is, and its owner should know why) or information.
type Note struct {
	Warning bool
	// Failed: a warning about a site an outside step (Nix) failed for; the
	// other sites were written, and the run failed.
	Failed bool
	Text   string // "file:line:column: image "ref": message"
}

// Notes are the plan's notes, in order.
func (r *Result) Notes() []Note {
	if r.Plan == nil {
		return nil
	}
	out := make([]Note, len(r.Plan.Notes))
	for i, n := range r.Plan.Notes {
		out[i] = Note{Warning: n.Level >= plan.Warn, Failed: n.Level == plan.Fail, Text: fmt.Sprintf("%s: image %q: %s", n.Site.Position(), n.Site.Ref, n.Message)}
	}
	return out
}
