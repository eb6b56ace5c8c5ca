package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pinner-dev/pinner/internal/update"
)

// UpdateCmd pins images to the digests their tags name now.
type UpdateCmd struct {
	All         bool          `help:"Update every image site."`
	Targets     []string      `arg:"" optional:"" name:"name|ref" predictor:"images" help:"Image names from registry.yaml, or references/repositories (ghcr.io/x/y, busybox:1.37) whose sites to update."`
	DryRun      bool          `help:"Print the changes as a unified diff; write nothing."`
	NoBuild     bool          `help:"Owned images: do not build them; their sites are left alone."`
	NoPush      bool          `help:"Owned images: build, and pin the digest a push would produce, without pushing."`
	PushTo      string        `help:"Owned images: push there instead of push_to: oci:DIR (an OCI image layout), or \"registry\" (each image's repository)." placeholder:"DEST"`
	FromBuilds  []string      `help:"Owned images: assemble them from the platform images \"pinner build --push --json\" pushed and listed in these files (one per machine), instead of building; repeatable." placeholder:"FILE" type:"existingfile" predictor:"file"`
	JSON        bool          `help:"Print the owned images pushed: [{\"name\",\"repository\",\"tags\",\"digest\",\"platforms\":[{\"platform\",\"digest\"}]}]."`
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
const defaultUpdateTimeout = update.DefaultTimeout

// Help is shown by "pinner update --help".
func (UpdateCmd) Help() string {
	return `Resolves the tag of every selected image site to the digest it names now and writes that digest into the .nix files in place: appended to a string ("busybox:1.37@sha256:..."), replacing an old digest, into a helm-values set's digest key or tag (style: in registry.yaml), or at the binding of a tag variable. No other byte of a file changes. Where a policy in registry.yaml (policies:) lets a repository's tags move, the newest tag within it (update step, allow, prerelease, min_age) replaces the tag and the site is pinned to that tag's digest; each move is printed with its class (patch, minor, major), before the diff with --dry-run. A third-party site written with a digest but no tag is left alone; sites pinner cannot edit are reported as warnings, never guessed.

Everything is resolved before anything is written, and every changed file is replaced atomically only when all steps succeeded: a registry failure changes no file. The changes are recorded in the changelog and pinner.lock (paths from registry.yaml). A second run with no registry change writes nothing.

Images listed under images: in registry.yaml are built by the repository. --all builds every such image that at least one site references (whatever its status: a disabled module's image is pinned too, since its module is still in the tree), and naming an image builds it even when no site references it. All of them are built through Nix in one invocation, each platform's output is loaded, several platforms are assembled into one OCI index, and the result is pushed under the image's tag and extra tags: to push_to, or --push-to (oci:DIR for an OCI image layout, "registry" for each image's own repository). Every site of the image's repository is then pinned to "repository:<tag>@<digest>": its tag becomes the image's tag. The tag is tag: from registry.yaml ("{git}" is HEAD's short commit, except that an image whose Nix outputs are the ones pinner.lock records keeps the commit of its recorded tag, so that committing the pin does not re-tag it), else the one the Nix image declares. When the Nix outputs are the ones pinner.lock records and the destination still serves the digest, nothing is loaded or uploaded. --no-push (and --dry-run) pin the digest a push would produce without pushing; --no-build leaves the owned images' sites alone. Nix outputs may be docker-archives, streaming scripts, OCI layouts or nix2container image.json files; of an image.json only the layers the destination lacks are tarred.

--from-builds FILE... assembles the owned images those files name (the --json output of "pinner build --platform P --push" on each machine) from the platform images already at the destination, instead of building: the same index a build of every platform here gives, pushed under the image's tags and pinned. --json prints the owned images pushed (name, repository, tags, digest, platforms) instead of the --dry-run diff, for a workflow to sign or attest.

Exits 0 on success (1 with --exit-code when files changed), 2 on bad input (also a missing Nix file or attribute), 3 when a registry or a Nix build failed (the tail of the build log is shown), or when the run takes longer than --timeout (default 15m). A registry host that fails several attempts in a row (connection refused, no answer in time) is given up on for the rest of the run: its other references are not tried, and it is reported once. Nothing is written when any step fails. The one exception is a site whose new hash Nix cannot compute — a pulled image (a pullImage call), left as it was with the sites of the same reference, or a chart fetch moving to a new version: it stays as it was, with a warning giving Nix's reason; the other sites are written, and the exit is 3.

One update at a time per repository: a run holds a lock (.git/pinner.lock-run, or .pinner.run.lock beside registry.yaml) from before it reads the files until it has written them; another update meanwhile exits 3 at once, or with --wait waits for it. Interrupted (SIGINT, SIGTERM), it stops and exits 130; files are synced before any is replaced, then replaced atomically, the modules first, then the changelog and the lock, so each is old or new and the next run finishes the job (recording what a stopped run had already changed).`
}

// Run updates.
func (c *UpdateCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadModulesConfig(env, g, nil)
	if err != nil {
		return err
	}
	res, err := update.Run(ctx, cfg, update.Options{
		All: c.All, Targets: c.Targets,
		DryRun: c.DryRun, NoBuild: c.NoBuild, NoPush: c.NoPush, PushTo: c.PushTo, FromBuilds: c.FromBuilds,
		NoChangelog: c.NoChangelog, PRBody: c.PRBody, Wait: c.Wait, Timeout: c.Timeout,
		Registry:  c.registryFlags.registry(),
		Log:       env.Log,
		Progress:  env.Progress,
		OnResolve: env.resolveHook(),
	})
	env.Progress.Close() // the bars end before warnings and the summary
	var serr *update.SyntaxError
	if errors.As(err, &serr) {
		printSyntaxErrors(env.Stderr, relativeErrors(serr.Errors))
	}
	if err != nil {
		return err
	}
	logStats(ctx, env.Log, res.Resolver, res.Sites)
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	for _, n := range res.Notes() {
		if n.Warning {
			fmt.Fprintf(env.Stderr, "warning: %s\n", n.Text)
		} else {
			env.Log.Info(n.Text)
		}
	}
	verb := "moved"
	if c.DryRun {
		verb = "would move"
	}
	for _, m := range res.Moves() {
		what := ""
		if m.Chart {
			what = "chart "
		}
		fmt.Fprintf(env.Info, "pinner: %s %s%s %s → %s (%s)\n", verb, what, m.Repository, m.From, m.To, m.Class)
	}
	switch {
	case c.JSON:
		if err := writeJSON(env.Stdout, res.Pushed()); err != nil {
			return err
		}
	case c.DryRun:
		cwd, _ := os.Getwd()
		fmt.Fprint(env.Stdout, res.Diff(cwd))
	}
	c.summary(env, res)
	if n := failedNotes(res) + res.Unhashed; n > 0 {
		// The other sites were written; these were not, and that is an
		// outside failure like any other.
		return withCode(ExitOutside, fmt.Errorf("left %d site(s) as they were: Nix computed no hash for their new version or digest (see the warnings above)", n))
	}
	if c.ExitCode && len(res.Outputs) > 0 {
		return withCode(ExitFindings, nil)
	}
	return nil
}

func (c *UpdateCmd) summary(env *Env, res *update.Result) {
	outs, results := res.Outputs, res.Owned
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
		if len(c.FromBuilds) > 0 {
			msg = fmt.Sprintf("pinner: assembled %d image(s) of this repository from --from-builds", len(results))
		}
		switch {
		case c.DryRun || c.NoPush:
			msg += fmt.Sprintf("; pushed none (%s)", map[bool]string{true: "--dry-run", false: "--no-push"}[c.DryRun])
		default:
			msg += fmt.Sprintf("; pushed %d, %d unchanged at the destination", pushed, unchanged)
		}
		fmt.Fprintln(env.Info, msg)
	}
	skipped := 0
	for _, n := range res.Notes() {
		if !n.Warning {
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
	case len(res.Plan.Changes) > 0:
		images, charts := 0, 0
		for _, ch := range res.Plan.Changes {
			if ch.Chart {
				charts++
			} else {
				images++
			}
		}
		what := fmt.Sprintf("%d image(s) to new digests", images)
		switch {
		case charts > 0 && images == 0:
			what = fmt.Sprintf("%d chart fetch(es) to new versions", charts)
		case charts > 0:
			what += fmt.Sprintf(" and %d chart fetch(es) to new versions", charts)
		}
		fmt.Fprintf(env.Info, "pinner: %s %s in %d file(s)\n", verb, what, len(res.Plan.Files))
	case len(outs) > 0 && c.DryRun:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; the lock file would change")
	case len(outs) > 0:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; lock file updated")
	default:
		fmt.Fprintln(env.Info, "pinner: every image is pinned to the digest its tag names; nothing to change")
	}
}

func failedNotes(res *update.Result) int {
	n := 0
	for _, note := range res.Notes() {
		if note.Failed {
			n++
		}
	}
	return n
}
