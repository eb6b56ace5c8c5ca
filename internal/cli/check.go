package cli

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/changelog"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/scan"
)

// CheckCmd is the offline pre-commit gate.
type CheckCmd struct {
	JSON  bool     `help:"Print one JSON object: {\"findings\":[...],\"errors\":[...]}."`
	Paths []string `arg:"" optional:"" name:"path" predictor:"nix" help:"Files or directories (every *.nix below them). Default: ${default_modules}."`
}

// Help is shown by "pinner check --help".
func (CheckCmd) Help() string {
	return `Reports, as file:line:column: message lines, every image site a commit must not carry: an image that is not pinned to a digest (saying why when pinner cannot pin it automatically), or one pinned to a digest other than the one pinner.lock records for its reference. It never touches the network, so it is fast enough for a pre-commit hook given only the staged files.

Exits 0 when clean, 1 on findings, 2 on bad input (usage, syntax errors).`
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
	Findings []finding   `json:"findings"`
	Errors   []fileError `json:"errors"`
}

// Run checks and prints.
func (c *CheckCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	files, err := scanFiles(cfg, c.Paths)
	if err != nil {
		return err
	}
	var l *lock.Lock
	if path := cfg.LockPath(); path != "" {
		if l, _, err = lock.Read(path); err != nil {
			return withCode(ExitBadInput, err)
		}
	}
	// Files are scanned and dropped one by one: only findings are kept.
	fs := []finding{}
	errs := []fileError{}
	err = streamSites(ctx, files, func(sites []scan.Site, perrs []fileError) error {
		errs = append(errs, perrs...)
		fs = append(fs, findings(cfg, sites)...)
		if l != nil {
			fs = append(fs, lockFindings(cfg, sites, l)...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sortFileErrors(errs)
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
