package cli

import (
	"bytes"
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/outdated"
	"github.com/pinner-dev/pinner/internal/progress"
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
	return `For every third-party image site whose tag is a version (1.37, v2.4.1, 2.3.4.5307, 1.2.3-alpine, 17.6.0-debian-12-r5), lists the repository's tags and reports the newest one that could replace it: the same prefix style (v or none), as many version numbers, the same variant suffix (-alpine), a build written alike (-r7), no pre-release unless --prerelease, and the same major version with --no-major. Tags are read with the versioning of the image's policy in registry.yaml (policies:; loose without one). Only sites with a newer tag are listed, one line each, with the class of the step (patch, minor, major), the digest the newest tag names now, and what the policy does: "update moves to it", the tag pinner update --all moves to instead, or why the policy holds the newest back (the step, allow, prerelease, min_age; no policy). Images the repository builds (images: in registry.yaml) and ignored repositories are skipped; mirrors and insecure hosts apply, and nothing is written.

Chart fetches (scan's form chart: helm.fetch, downloadHelmChart, a fetchurl of a chart's .tgz) are listed the same way: the newer versions of the chart from its repository's index.yaml, or from the tags of an oci:// repository, under the policy whose match: names the chart's repository and name without the scheme (charts.jetstack.io/cert-manager); DIGEST is "-" for them.

An argument that is an existing file or directory is scanned; any other argument must be an image reference with a version tag (busybox:1.37, ghcr.io/x/y:v2.1), which is compared as a site would be (even when registry.yaml owns or ignores it: naming it asks for it) and listed first, in the order given, with "-" for its location (file "" and line 0 in --json).

Exits 0 (the list is information, not a failure), 2 on bad input, 3 when a registry could not list tags (after printing the others).`
}

// Run lists tags and prints.
func (c *OutdatedCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	paths, cands, err := outdated.SplitArgs(c.Args)
	if err != nil {
		return err
	}
	var cfg *config.Config
	if len(paths) > 0 || len(cands) == 0 {
		var res *scanResult
		cfg, res, err = loadAndScan(ctx, env, g, paths)
		if err != nil {
			return err
		}
		if len(res.errors) > 0 {
			printSyntaxErrors(env.Stderr, res.errors)
			return withCode(ExitBadInput, fmt.Errorf("%d syntax error(s)", len(res.errors)))
		}
		cands = append(cands, outdated.FromSites(cfg, update.Owns(cfg), res.sites)...)
	} else if cfg, err = loadConfig(g); err != nil {
		return err
	}
	r, err := c.newResolver(cfg, env.Log)
	if err != nil {
		return err
	}
	out, repos, ferr := outdated.Find(ctx, cfg, r, cands, outdated.Options{
		Prerelease: c.Prerelease, SameMajor: !c.Major, Jobs: c.Jobs, Log: env.Log, Progress: env.Progress,
	})
	if diag.KindOf(ferr) == diag.BadInput {
		return ferr
	}
	env.Progress.Close()
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else if len(out) > 0 {
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOCATION\tREFERENCE\tCURRENT\tLATEST\tCLASS\tDIGEST\tPOLICY")
		for _, e := range out {
			loc, digest := "-", "-"
			if e.File != "" {
				loc = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			if e.Digest != "" {
				digest = progress.Abbrev(e.Digest)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", loc, shortDigest(e.Ref), e.Current, e.Latest, e.Class, digest, policyNote(e))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if err := writeTable(env.Stdout, buf.Bytes(), env.Color); err != nil {
			return err
		}
	} else if ferr == nil {
		fmt.Fprintf(env.Info, "pinner: every image with a version tag is on the newest one (%s, %s)\n", progress.Plural(len(cands), "image"), progress.Plural(repos, "repository"))
	}
	if ferr != nil {
		return withCode(ExitOutside, ferr)
	}
	return nil
}

// policyNote says what update does with an entry's tag.
func policyNote(e outdated.Entry) string {
	switch {
	case e.Held == "":
		return "update moves to it"
	case e.Update != "":
		return fmt.Sprintf("update moves to %s; held: %s", e.Update, e.Held)
	}
	return "held: " + e.Held
}
