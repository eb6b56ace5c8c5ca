package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diff"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/repofile"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/runlock"
	"github.com/pinner-dev/pinner/internal/scan"
)

// UpdateCmd pins images to the digests their tags name now.
type UpdateCmd struct {
	All         bool          `help:"Update every image site."`
	Targets     []string      `arg:"" optional:"" name:"name|ref" predictor:"images" help:"Image names from registry.yaml, or references/repositories (ghcr.io/x/y, busybox:1.37) whose sites to update."`
	DryRun      bool          `help:"Print the changes as a unified diff; write nothing."`
	NoBuild     bool          `help:"Owned images: do not build them; their sites are left alone."`
	NoPush      bool          `help:"Owned images: build, and pin the digest a push would produce, without pushing."`
	PushTo      string        `help:"Owned images: push there instead of push_to: oci:DIR (an OCI image layout), or \"registry\" (each image's repository)." placeholder:"DEST"`
	PRBody      string        `name:"pr-body" help:"Write a Markdown summary of the changes (a table) for a pull request description, also with --dry-run." placeholder:"FILE" type:"path" predictor:"file"`
	NoChangelog bool          `help:"Do not record the changes in the changelog."`
	ExitCode    bool          `help:"Exit 1 when files changed (or, with --dry-run, would change)."`
	Wait        bool          `help:"When another pinner update is running in this repository, wait for it instead of failing."`
	Timeout     time.Duration `help:"Give up when the whole run (waiting for the lock, Nix builds, pushes, resolving) takes longer; 0 for no limit." default:"${update_timeout}" placeholder:"D"`
	registryFlags
}

// defaultUpdateTimeout bounds a whole update: a stalled registry once
// kept one going for 461 s. Generous for resolving and pushing; a first
// Nix build of large images may need --timeout raised.
const defaultUpdateTimeout = 15 * time.Minute

// writeAll replaces the files; tests look at the order.
var writeAll = rewrite.WriteAll

// errRunTimeout is the cause of the run's context when --timeout passes.
var errRunTimeout = errors.New("--timeout passed")

// Help is shown by "pinner update --help".
func (UpdateCmd) Help() string {
	return `Resolves the tag of every selected image site to the digest it names now and writes that digest into the .nix files in place: appended to a string ("busybox:1.37@sha256:..."), replacing an old digest, into a helm-values set's digest key or tag (style: in registry.yaml), or at the binding of a tag variable. No other byte of a file changes. A third-party site written with a digest but no tag is left alone; sites pinner cannot edit are reported as warnings, never guessed.

Everything is resolved before anything is written, and every changed file is replaced atomically only when all steps succeeded: a registry failure changes no file. The changes are recorded in the changelog and pinner.lock (paths from registry.yaml). A second run with no registry change writes nothing.

Images listed under images: in registry.yaml are built by the repository. --all builds every such image that at least one site references (whatever its status: a disabled module's image is pinned too, since its module is still in the tree), and naming an image builds it even when no site references it. All of them are built through Nix in one invocation, each platform's output is loaded, several platforms are assembled into one OCI index, and the result is pushed under the image's tag and extra tags: to push_to, or --push-to (oci:DIR for an OCI image layout, "registry" for each image's own repository). Every site of the image's repository is then pinned to "repository:<tag>@<digest>": its tag becomes the image's tag. The tag is tag: from registry.yaml ("{git}" is HEAD's short commit, except that an image whose Nix outputs are the ones pinner.lock records keeps the commit of its recorded tag, so that committing the pin does not re-tag it), else the one the Nix image declares. When the Nix outputs are the ones pinner.lock records and the destination still serves the digest, nothing is loaded or uploaded. --no-push (and --dry-run) pin the digest a push would produce without pushing; --no-build leaves the owned images' sites alone.

Exits 0 on success (1 with --exit-code when files changed), 2 on bad input (also a missing Nix file or attribute), 3 when a registry or a Nix build failed (the tail of the build log is shown), or when the run takes longer than --timeout (default 15m). A registry host that fails several attempts in a row (connection refused, no answer in time) is given up on for the rest of the run: its other references are not tried, and it is reported once. Nothing is written when any step fails.

One update at a time per repository: a run holds a lock (.git/pinner.lock-run, or .pinner.run.lock beside registry.yaml) from before it reads the files until it has written them; another update meanwhile exits 3 at once, or with --wait waits for it. Interrupted (SIGINT, SIGTERM), it stops and exits 130; files are synced before any is replaced, then replaced atomically, the modules first, then the changelog and the lock, so each is old or new and the next run finishes the job (recording what a stopped run had already changed).`
}

// Run updates, within --timeout.
func (c *UpdateCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if c.Timeout < 0 {
		return withCode(ExitBadInput, fmt.Errorf("--timeout %v: want a positive duration, or 0 for no limit", c.Timeout))
	}
	if c.Timeout == 0 {
		return c.run(ctx, env, g)
	}
	rctx, cancel := context.WithTimeoutCause(ctx, c.Timeout, errRunTimeout)
	defer cancel()
	err := c.run(rctx, env, g)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(rctx), errRunTimeout) {
		return withCode(ExitOutside, fmt.Errorf("the update did not finish within %v (--timeout); nothing was written: %w", c.Timeout, err))
	}
	return err
}

func (c *UpdateCmd) run(ctx context.Context, env *Env, g *Globals) error {
	switch {
	case c.All && len(c.Targets) > 0:
		return withCode(ExitBadInput, errors.New("--all and NAME|REF arguments exclude each other"))
	case !c.All && len(c.Targets) == 0:
		return withCode(ExitBadInput, errors.New("nothing to update: pass --all, or image names or references"))
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if err := c.checkOutputs(cfg); err != nil {
		return err
	}
	if !c.DryRun {
		// Held from before the files are read until after they are written.
		l, err := lockRun(ctx, cfg, c.Wait)
		if err != nil {
			return err
		}
		defer l.Release()
	}
	res, err := scanPaths(ctx, cfg, nil)
	if err != nil {
		return err
	}
	if len(res.errors) > 0 {
		printSyntaxErrors(env.Stderr, res.errors)
		return withCode(ExitBadInput, fmt.Errorf("%d syntax error(s); fix them before updating", len(res.errors)))
	}

	cat := newCatalogue(cfg)
	sel, named, err := c.selector(cfg, res.sites, cat, env)
	if err != nil {
		return err
	}
	r, err := c.newResolver(cfg, env.Log, oci.WithOnResolve(env.resolveHook()))
	if err != nil {
		return err
	}
	oldLock, err := readLock(cfg)
	if err != nil {
		return err
	}

	// Owned images: build (and push) first; their digests are then
	// pinned like resolved ones.
	var built map[string]*owned.Result
	var ownedSrc plan.Source
	var results []owned.Result
	if !c.NoBuild {
		images := c.ownedImages(cfg, res.sites, cat, sel, named)
		if len(images) > 0 {
			dest, err := pushDest(cfg, c.PushTo)
			if err != nil {
				return err
			}
			run := &ownedRun{cfg: cfg, env: env, dest: dest, push: !c.NoPush && !c.DryRun, reg: &c.registryFlags, lock: oldLock}
			results, err = run.build(ctx, images)
			if errors.Is(err, nixbuild.ErrNixNotFound) {
				return withCode(ExitOutside, fmt.Errorf("%w; or pass --no-build to pin third-party images only", err))
			}
			if err != nil {
				return err
			}
			logBuilt(ctx, env.Log, results)
		}
		built = map[string]*owned.Result{}
		fixed := plan.Fixed{}
		for i := range results {
			built[results[i].Name] = &results[i]
			fixed[results[i].Key] = results[i].Digest
		}
		ownedSrc = fixed
	}
	p, err := plan.Make(ctx, res.sites, plan.Options{
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
		Recorded: oldLock.Digests(),
	})
	env.Progress.Close() // the bars end before warnings and the summary
	logStats(ctx, env.Log, r, len(res.sites))
	if errors.Is(err, plan.ErrChanged) {
		return withCode(ExitOutside, changedError(cfg, err, c.DryRun))
	}
	if err != nil {
		return withCode(ExitOutside, err)
	}
	for _, n := range p.Notes {
		msg := fmt.Sprintf("%s: image %q: %s", n.Site.Position(), n.Site.Ref, n.Message)
		if n.Level == plan.Warn {
			fmt.Fprintf(env.Stderr, "warning: %s\n", msg)
		} else {
			env.Log.Info(msg)
		}
	}

	outs, err := c.outputs(cfg, p, oldLock, results)
	if err != nil {
		return err
	}

	cwd, _ := os.Getwd()
	if c.DryRun {
		for _, o := range outs {
			var old []byte
			if o.exists {
				old = o.old
			}
			fmt.Fprint(env.Stdout, diff.Unified(filepath.ToSlash(displayPath(cwd, o.path)), old, o.data))
		}
	} else {
		removeStaleTemps(siteDirs(res.sites), outputPaths(cfg, outs, c.PRBody))
	}
	var ws []rewrite.Output
	if !c.DryRun {
		for _, o := range outs {
			ws = append(ws, rewrite.Output{Path: o.path, Data: o.data})
		}
		// The modules are renamed into place first, then the changelog,
		// then the lock: the changelog records only digests some file got
		// (the other way round, a run stopped between renames left
		// entries for digests no file ever had, once the tag moved). A run
		// killed after a module's rename leaves digests the lock does not
		// record; the next run finds them (plan.Unrecorded) and records
		// them then, so the end result is an uninterrupted run's.
		slices.SortStableFunc(ws, func(a, b rewrite.Output) int {
			return cmp.Compare(writeOrder(cfg, a.Path), writeOrder(cfg, b.Path))
		})
	}
	if c.PRBody != "" {
		// With the others, so that a --pr-body that cannot be written
		// fails the run before any file is replaced; renamed last, so
		// that it describes only changes already made.
		ws = append(ws, rewrite.Output{Path: c.PRBody, Data: []byte(changelog.PRBody(entries(cfg, p)))})
	}
	if len(ws) > 0 {
		if err := writeAll(ws); err != nil {
			if errors.Is(err, rewrite.ErrHardLinked) {
				return withCode(ExitBadInput, err)
			}
			return withCode(ExitOutside, err)
		}
	}
	c.summary(env, p, outs, results)
	if c.ExitCode && len(outs) > 0 {
		return withCode(ExitFindings, nil)
	}
	return nil
}

func (c *UpdateCmd) summary(env *Env, p *plan.Plan, outs []output, results []owned.Result) {
	verb := "pinned"
	if c.DryRun {
		verb = "would pin"
	}
	if len(results) > 0 {
		var pushed, unchanged int
		for _, r := range results {
			switch {
			case r.Unchanged:
				unchanged++
			case r.Published:
				pushed++
			}
		}
		msg := fmt.Sprintf("pinner: built %d image(s) of this repository through Nix", len(results))
		switch {
		case c.DryRun || c.NoPush:
			msg += fmt.Sprintf("; pushed none (%s)", map[bool]string{true: "--dry-run", false: "--no-push"}[c.DryRun])
		default:
			msg += fmt.Sprintf("; pushed %d, %d unchanged at the destination", pushed, unchanged)
		}
		fmt.Fprintln(env.Info, msg)
	}
	skipped := 0
	for _, n := range p.Notes {
		if n.Level == plan.Info {
			skipped++
		}
	}
	if skipped > 0 {
		why := "not built in this run"
		if c.NoBuild {
			why = "--no-build"
		}
		fmt.Fprintf(env.Info, "pinner: left %d site(s) of images this repository builds alone (%s; --log-level info lists them)\n", skipped, why)
	}
	switch {
	case len(p.Changes) > 0:
		fmt.Fprintf(env.Info, "pinner: %s %d image(s) to new digests in %d file(s)\n", verb, len(p.Changes), len(p.Files))
	case len(outs) > 0 && c.DryRun:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; the lock file would change")
	case len(outs) > 0:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; lock file updated")
	default:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; nothing to change")
	}
}

// output is one file the update writes.
type output struct {
	path   string
	old    []byte
	exists bool
	data   []byte
}

// outputs are the new contents of the .nix files, the changelog and the
// lock file, only those that change.
func (c *UpdateCmd) outputs(cfg *config.Config, p *plan.Plan, oldLock *lock.Lock, results []owned.Result) ([]output, error) {
	var outs []output
	for _, f := range p.Files {
		outs = append(outs, output{path: f.Path, old: f.Old, exists: true, data: f.New})
	}
	if path := cfg.ChangelogPath(); path != "" && !c.NoChangelog && len(p.Changes)+len(p.Unrecorded) > 0 {
		old, exists, err := readOptional(path, repofile.MaxChangelog)
		if err != nil {
			return nil, err
		}
		var base []byte
		if exists {
			base = old
			if base == nil {
				base = []byte{}
			}
		}
		if data := changelog.Add(base, today(), entries(cfg, p)); !bytes.Equal(data, old) || !exists {
			outs = append(outs, output{path: path, old: old, exists: exists, data: data})
		}
	}
	if path := cfg.LockPath(); path != "" {
		old, exists, err := readOptional(path, repofile.MaxLock)
		if err != nil {
			return nil, err
		}
		l := oldLock.With(p.Pins)
		recordOwned(l, p, results, !c.NoPush && !c.DryRun)
		data := l.Marshal()
		if !exists && len(p.Pins) == 0 && len(results) == 0 {
			data = old
		}
		if !bytes.Equal(data, old) {
			outs = append(outs, output{path: path, old: old, exists: exists, data: data})
		}
	}
	return outs, nil
}

// changedError explains a module that changed between the scan and the
// edit. A dry run takes no lock, so another update may have replaced the
// file meanwhile (it used to say "the image site is gone after the edit").
func changedError(cfg *config.Config, err error, dryRun bool) error {
	if dryRun {
		path := runlock.Path(cmp.Or(cfg.Dir, "."))
		if held, pid := runlock.Holder(path); held {
			who := "pid unknown"
			if pid > 0 {
				who = fmt.Sprintf("pid %d", pid)
			}
			return fmt.Errorf("another pinner update is running in this repository (%s; lock file %s) and changed the files while this dry run read them; run it again when that update is done: %w", who, path, err)
		}
	}
	return fmt.Errorf("%w; something else (an editor, a git checkout, another pinner run) changed it meanwhile: run pinner again", err)
}

// checkOutputs refuses, before anything is read or asked of a registry,
// the files this update would write where it must not: the changelog, the
// lock file and push_to's OCI layout must lie inside the repository, also
// through symlinks (a changelog linked to a file elsewhere was read and
// copied into the repository), and none of them, nor --pr-body or
// --push-to, inside .git (changelog: .git/config broke git). --pr-body and
// --push-to are the user's own choice on the command line and may name
// files outside the repository, as the GitHub Action does with
// $RUNNER_TEMP; inside it they must not lead out through a symlink. The
// changelog and the lock file, read before they are written, must be
// regular files of sane size.
func (c *UpdateCmd) checkOutputs(cfg *config.Config) error {
	root := cmp.Or(cfg.Dir, ".")
	type out struct {
		what, path string
		flag       bool
		max        int64
	}
	var outs []out
	if p := cfg.ChangelogPath(); p != "" && !c.NoChangelog {
		outs = append(outs, out{"changelog", p, false, repofile.MaxChangelog})
	}
	if p := cfg.LockPath(); p != "" {
		outs = append(outs, out{"lock", p, false, repofile.MaxLock})
	}
	if dest, err := pushDest(cfg, c.PushTo); err != nil {
		return err
	} else if dir, ok := strings.CutPrefix(dest, "oci:"); ok {
		what := "push_to"
		if c.PushTo != "" {
			what = "--push-to"
		}
		outs = append(outs, out{what, dir, c.PushTo != "", 0})
	}
	if c.PRBody != "" {
		outs = append(outs, out{"--pr-body", c.PRBody, true, 0})
	}
	for _, o := range outs {
		if err := repofile.Output(root, o.path, o.flag); err != nil {
			hint := "pinner writes only inside the repository, and never inside .git"
			if o.flag {
				hint = "pinner never writes inside .git, nor through a link out of the repository"
			}
			return withCode(ExitBadInput, fmt.Errorf("%s %q: %w; %s", o.what, o.path, err, hint))
		}
		if o.max == 0 {
			continue
		}
		if err := repofile.Check(o.path, o.max); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return withCode(ExitBadInput, fmt.Errorf("reading %q: %w", o.path, err))
		}
	}
	return nil
}

// readLock reads the configuration's lock file; a missing one (or none
// configured) is an empty lock.
func readLock(cfg *config.Config) (*lock.Lock, error) {
	path := cfg.LockPath()
	if path == "" {
		return lock.New(), nil
	}
	old, exists, err := readOptional(path, repofile.MaxLock)
	if err != nil {
		return nil, err
	}
	if !exists {
		return lock.New(), nil
	}
	l, err := lock.Parse(old)
	if err != nil {
		return nil, withCode(ExitBadInput, fmt.Errorf("reading lock file %q: %w", path, err))
	}
	return l, nil
}

// recordOwned writes what the owned images of this run were built from
// and pushed as into l: per image, the Nix outputs by platform and the
// digest pushed ("" when this digest was not pushed: --no-push). Entries
// of their repositories that neither a site nor this run's images name any
// more (an old tag) go.
func recordOwned(l *lock.Lock, p *plan.Plan, results []owned.Result, pushed bool) {
	keys := map[string]bool{}
	repos := map[string]bool{}
	for _, r := range results {
		keys[r.Key] = true
		repos[strings.TrimSuffix(r.Key, ":"+r.Tag)] = true
	}
	for ref, e := range l.Images {
		repo, _, _ := strings.Cut(ref, "@")
		if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
			repo = repo[:i]
		}
		if repos[repo] && !keys[ref] && p.Pins[ref] == "" && e.Digest != "" {
			delete(l.Images, ref)
		}
	}
	for _, r := range results {
		e := l.Images[r.Key]
		e.Digest = r.Digest
		if pushed || e.Pushed != r.Digest {
			e.Pushed = ""
		}
		if pushed && r.Published {
			e.Pushed = r.Digest
		}
		e.Outputs = r.Outputs()
		l.Images[r.Key] = e
	}
}

// readOptional reads a file the update may replace, within max bytes: a
// device, a FIFO or an oversized file there is bad input (exit 2), other
// failures outside ones (3).
func readOptional(path string, max int64) ([]byte, bool, error) {
	b, found, err := repofile.ReadOptional(path, max)
	switch {
	case errors.Is(err, repofile.ErrNotRegular), errors.Is(err, repofile.ErrTooLarge):
		return nil, false, withCode(ExitBadInput, fmt.Errorf("reading %q: %w", path, err))
	case err != nil:
		return nil, false, withCode(ExitOutside, fmt.Errorf("reading %q: %w", path, err))
	}
	return b, found, nil
}

// today is the date of changelog sections: SOURCE_DATE_EPOCH when set (for
// reproducible output), else now, in UTC.
func today() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// entries are the plan's changes for the changelog, with file names
// relative to the configuration's directory: one entry per digest the
// files really had before, with the changes an interrupted run made to
// the files and could not record (plan.Unrecorded) merged in, so that the
// changelog lists no digest a file never had.
func entries(cfg *config.Config, p *plan.Plan) []changelog.Entry {
	base, _ := filepath.Abs(cfg.Dir)
	rel := func(f string) string {
		if abs, err := filepath.Abs(f); err == nil {
			if r, err := filepath.Rel(base, abs); err == nil && filepath.IsLocal(r) {
				f = r
			}
		}
		return filepath.ToSlash(f)
	}
	type key struct{ ref, old, new string }
	var out []changelog.Entry
	at := map[key]int{}
	for _, ch := range slices.Concat(p.Changes, p.Unrecorded) {
		for _, from := range ch.From {
			k := key{ch.Ref, from.Digest, ch.New}
			i, ok := at[k]
			if !ok {
				i = len(out)
				at[k] = i
				out = append(out, changelog.Entry{Repository: ch.Repository, Tag: ch.Tag, Old: []string{from.Digest}, New: ch.New})
			}
			for _, f := range from.Files {
				if f = rel(f); !slices.Contains(out[i].Files, f) {
					out[i].Files = append(out[i].Files, f)
				}
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Files)
	}
	// By reference, this run's changes before those caught up.
	slices.SortStableFunc(out, func(a, b changelog.Entry) int {
		return cmp.Compare(a.Repository+":"+a.Tag, b.Repository+":"+b.Tag)
	})
	return out
}

// ownedImages are the images this run builds: with --all, every image
// that a site references; otherwise those named, and those of the selected
// sites.
func (c *UpdateCmd) ownedImages(cfg *config.Config, sites []scan.Site, cat *catalogue, sel func(*scan.Site) bool, named []string) []owned.Image {
	want := map[string]bool{}
	for _, n := range named {
		want[n] = true
	}
	for i := range sites {
		s := &sites[i]
		if s.Form == scan.FormDerived || (sel != nil && !sel(s)) || cfg.Ignored(s.Ref) {
			continue
		}
		if img := cat.imageOf(s); img != nil {
			want[img.Name] = true
		}
	}
	var out []owned.Image
	for i := range cfg.Images {
		if want[cfg.Images[i].Name] {
			out = append(out, owned.Image{Config: &cfg.Images[i]})
		}
	}
	return out
}

// selector turns --all or the NAME|REF arguments into a site filter, and
// returns the image names among the arguments. An argument that is
// neither an image name nor a reference matching a site is bad input.
func (c *UpdateCmd) selector(cfg *config.Config, sites []scan.Site, cat *catalogue, env *Env) (func(*scan.Site) bool, []string, error) {
	if c.All {
		return nil, nil, nil
	}
	type want struct {
		repo, tag string
		image     *config.Image
	}
	var wants []want
	var named []string
	for _, arg := range c.Targets {
		if img, ok := cfg.Image(arg); ok {
			r, err := imageref.ParseRepository(img.Repository)
			if err != nil {
				return nil, nil, withCode(ExitBadInput, err)
			}
			if c.NoBuild {
				fmt.Fprintf(env.Stderr, "warning: %s is built by this repository (images: in registry.yaml) and --no-build is set, so its sites are left alone\n", arg)
			}
			wants = append(wants, want{repo: r.Context(), image: img})
			named = append(named, arg)
			continue
		}
		r, err := imageref.Parse(arg)
		if err != nil {
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("%q is neither an image name from the configuration nor a valid reference: %w", arg, err))
		}
		w := want{repo: r.Context(), tag: r.Tag}
		matched := slices.ContainsFunc(sites, func(s scan.Site) bool {
			return s.Image.Repository != "" && s.Image.Context() == w.repo && (w.tag == "" || s.Image.Tag == w.tag)
		})
		if !matched {
			return nil, nil, withCode(ExitBadInput, fmt.Errorf("no image site matches %q", arg))
		}
		wants = append(wants, w)
	}
	return func(s *scan.Site) bool {
		if s.Image.Repository == "" {
			return false
		}
		for _, w := range wants {
			if s.Image.Context() != w.repo {
				continue
			}
			// A named image selects the sites that belong to it, not
			// those of another image of the same repository.
			if w.image != nil {
				if cat.imageOf(s) == w.image {
					return true
				}
				continue
			}
			if w.tag == "" || s.Image.Tag == w.tag {
				return true
			}
		}
		return false
	}, named, nil
}
