package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pinner-dev/pinner/internal/check"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// CheckCmd is the offline pre-commit gate.
type CheckCmd struct {
	JSON     bool     `help:"Print one JSON object: {\"findings\":[...],\"errors\":[...]}."`
	Staged   bool     `help:"Check what the next commit holds: the staged content of every staged .nix file (added, modified, renamed, copied), read from git's index, and the staged pinner.lock."`
	Rendered string   `placeholder:"DIR" predictor:"dir" help:"Audit the rendered manifests below DIR (every *.yaml and *.yml) instead of the modules: every image not pinned to a digest, and where it comes from."`
	Paths    []string `arg:"" optional:"" name:"path" predictor:"nix" help:"Files or directories (every *.nix below them); with --staged, the staged files below them. Default: ${default_modules}; with --staged, every staged .nix file."`
}

// Help is shown by "pinner check --help".
func (CheckCmd) Help() string {
	return `Reports, as file:line:column: message lines, every image site a commit must not carry: an image that is not pinned to a digest (saying why when pinner cannot pin it automatically), or one pinned to a digest other than the one pinner.lock records for its reference. It never touches the network, so it is fast enough for a pre-commit hook given only the staged files.

With --staged it checks what the commit will hold rather than the working tree: the staged content of every .nix file the index adds or changes (renamed and copied files under their new names), read with git, and pinner.lock as staged (the working tree's when the lock is not tracked). A file staged unpinned but pinned in the working tree is a finding. Files matched by exclude: in registry.yaml are skipped.

With --rendered DIR it reads the YAML that make manifests rendered instead: every container image of a Pod spec (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) and every unmistakable reference under an image-named key of another object (rook's CephCluster, CloudNativePG's imageName), reported at its line and column in the YAML when it is not pinned to a digest, saying where it comes from: the module site that writes it, or the chart default of the Helm release its labels name and the module declaring that release.

Exits 0 when clean, 1 on findings, 2 on bad input (usage, syntax errors; --staged outside a git repository), 3 when git cannot be run.`
}

type checkOutput struct {
	Findings []check.Finding `json:"findings"`
	Errors   diag.List       `json:"errors"`
}

// Run checks and prints.
func (c *CheckCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadModulesConfig(env, g, c.Paths)
	if err != nil {
		return err
	}
	if c.Rendered != "" {
		if c.Staged || len(c.Paths) > 0 {
			return withCode(ExitBadInput, errors.New("--rendered reads the rendered manifests: it takes neither --staged nor PATH arguments"))
		}
		fs, errs, err := check.Rendered(ctx, cfg, c.Rendered)
		if err != nil {
			return err
		}
		return c.print(env, checkOutput{Findings: fs, Errors: errs}, nil)
	}
	l, err := check.ReadLock(ctx, cfg, c.Staged)
	if err != nil {
		return err
	}
	fs := []check.Finding{}
	errs := diag.List{}
	warnings := check.Lint(cfg)
	add := func(sites []scan.Site, perrs diag.List) error {
		errs = append(errs, perrs...)
		warnings.Add(sites)
		fs = append(fs, check.Findings(cfg, sites)...)
		fs = append(fs, check.LockFindings(cfg, sites, l)...)
		return nil
	}
	if c.Staged {
		res, err := scanStaged(ctx, cfg, c.Paths)
		if err != nil {
			return err
		}
		_ = add(res.sites, res.errors)
	} else {
		files, err := workspace.Files(cfg, c.Paths)
		if err != nil {
			return err
		}
		// Files are scanned and dropped one by one: only findings are kept.
		if err := streamSites(ctx, files, add); err != nil {
			return err
		}
	}
	errs.Sort()
	check.Sort(fs)
	return c.print(env, checkOutput{Findings: fs, Errors: errs}, warnings.Warnings())
}

// print shows the findings, errors and warnings, and chooses the exit code.
func (c *CheckCmd) print(env *Env, out checkOutput, warnings []string) error {
	if c.JSON {
		if err := writeJSON(env.Stdout, out); err != nil {
			return err
		}
	} else {
		for _, f := range out.Findings {
			fmt.Fprintf(env.Stdout, "%s %s\n", env.bold(fmt.Sprintf("%s:%d:%d:", f.File, f.Line, f.Column)), f.Message)
		}
		printSyntaxErrors(env.Stderr, out.Errors)
	}
	for _, w := range warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", w)
	}
	switch {
	case len(out.Errors) > 0:
		return withCode(ExitBadInput, nil)
	case len(out.Findings) > 0:
		return withCode(ExitFindings, nil)
	}
	return nil
}

// scanStaged scans the staged content of the staged .nix files (see
// workspace.Staged), names shown relative to the working directory.
func scanStaged(ctx context.Context, cfg *config.Config, paths []string) (*scanResult, error) {
	staged, err := workspace.Staged(ctx, cfg, paths)
	if err != nil {
		return nil, err
	}
	cwd, _ := os.Getwd()
	res := &scanResult{sites: []scan.Site{}, errors: diag.List{}}
	for _, fs := range staged {
		name := displayPath(cwd, fs.Name)
		for _, e := range fs.Errors {
			res.errors = append(res.errors, &diag.Error{File: name, Line: e.Line, Column: e.Column, Msg: e.Msg})
		}
		for _, s := range fs.Sites {
			s.File = name
			res.sites = append(res.sites, s)
		}
	}
	return res, nil
}
