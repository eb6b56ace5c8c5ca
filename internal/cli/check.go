package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// CheckCmd is the offline pre-commit gate.
type CheckCmd struct {
	JSON   bool     `help:"Print one JSON object: {\"findings\":[...],\"errors\":[...]}."`
	Staged bool     `help:"Check what the next commit holds: the staged content of every staged .nix file (added, modified, renamed, copied), read from git's index, and the staged pinner.lock."`
	Paths  []string `arg:"" optional:"" name:"path" predictor:"nix" help:"Files or directories (every *.nix below them); with --staged, the staged files below them. Default: ${default_modules}; with --staged, every staged .nix file."`
}

// Help is shown by "pinner check --help".
func (CheckCmd) Help() string {
	return `Reports, as file:line:column: message lines, every image site a commit must not carry: an image that is not pinned to a digest (saying why when pinner cannot pin it automatically), or one pinned to a digest other than the one pinner.lock records for its reference. It never touches the network, so it is fast enough for a pre-commit hook given only the staged files.

With --staged it checks what the commit will hold rather than the working tree: the staged content of every .nix file the index adds or changes (renamed and copied files under their new names), read with git, and pinner.lock as staged (the working tree's when the lock is not tracked). A file staged unpinned but pinned in the working tree is a finding. Files matched by exclude: in registry.yaml are skipped.

Exits 0 when clean, 1 on findings, 2 on bad input (usage, syntax errors; --staged outside a git repository), 3 when git cannot be run.`
}

// finding is one site a commit must not carry, in the contract's JSON shape.
type finding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Ref     string `json:"ref"`
	Message string `json:"message"`
}

type checkOutput struct {
	Findings []finding `json:"findings"`
	Errors   diag.List `json:"errors"`
}

// Run checks and prints.
func (c *CheckCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	var l *lock.Lock
	if path := cfg.LockPath(); path != "" {
		if l, err = c.readLock(ctx, cfg); err != nil {
			return err
		}
	}
	fs := []finding{}
	errs := diag.List{}
	add := func(sites []scan.Site, perrs diag.List) error {
		errs = append(errs, perrs...)
		fs = append(fs, findings(cfg, sites)...)
		if l != nil {
			fs = append(fs, lockFindings(cfg, sites, l)...)
		}
		return nil
	}
	if c.Staged {
		res, err := scanStaged(ctx, cfg, c.Paths)
		if err != nil {
			return err
		}
		_ = add(res.sites, res.errors)
	} else {
		files, err := scanFiles(cfg, c.Paths)
		if err != nil {
			return err
		}
		// Files are scanned and dropped one by one: only findings are kept.
		if err := streamSites(ctx, files, add); err != nil {
			return err
		}
	}
	errs.Sort()
	slices.SortStableFunc(fs, func(a, b finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	out := checkOutput{Findings: fs, Errors: errs}
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
	switch {
	case len(out.Errors) > 0:
		return withCode(ExitBadInput, nil)
	case len(out.Findings) > 0:
		return withCode(ExitFindings, nil)
	}
	return nil
}

// readLock is the lock check compares with: with --staged, the index's
// pinner.lock when git tracks it.
func (c *CheckCmd) readLock(ctx context.Context, cfg *config.Config) (*lock.Lock, error) {
	if c.Staged {
		data, ok, err := workspace.StagedLock(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if ok {
			l, err := lock.Parse(data)
			if err != nil {
				return nil, withCode(ExitBadInput, fmt.Errorf("reading staged lock file %q: %w", cfg.Lock, err))
			}
			return l, nil
		}
	}
	l, _, err := lock.Read(cfg.LockPath())
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	return l, nil
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

// findings turns sites into what check reports. A derived site is not a
// finding of its own: the site it comes from is, and that is where the pin
// gets written.
// Repositories the configuration ignores are never findings.
func findings(cfg *config.Config, sites []scan.Site) []finding {
	out := []finding{}
	for _, s := range sites {
		if s.Invalid && !cfg.Ignored(s.Ref) {
			msg := fmt.Sprintf("image %q is %s", s.Ref, s.Reason)
			out = append(out, finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
			continue
		}
		if s.Pinned || s.Form == scan.FormDerived || cfg.Ignored(s.Ref) {
			continue
		}
		msg := fmt.Sprintf("image %q is not pinned to a digest", s.Ref)
		if !s.Editable {
			msg += "; pinner cannot pin it automatically"
			if s.Reason != "" {
				msg += ": " + s.Reason
			}
		} else {
			msg += " (run: pinner update)"
		}
		out = append(out, finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
	}
	return out
}

// lockFindings are the pinned sites whose digest is not the one the lock
// file records for their reference (normalised, with its tag). Sites
// without a tag, and references the lock does not know, are not compared.
func lockFindings(cfg *config.Config, sites []scan.Site, l *lock.Lock) []finding {
	var out []finding
	for _, s := range sites {
		if s.Form == scan.FormDerived || !s.Pinned || s.Image.Tag == "" || cfg.Ignored(s.Ref) {
			continue
		}
		e, ok := l.Images[s.Image.Context()+":"+s.Image.Tag]
		if !ok || e.Digest == s.Image.Digest {
			continue
		}
		msg := fmt.Sprintf("image %q is pinned to %s… but %s has %s…",
			s.Ref, changelog.ShortDigest(s.Image.Digest), cfg.Lock, changelog.ShortDigest(e.Digest))
		out = append(out, finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
	}
	return out
}
