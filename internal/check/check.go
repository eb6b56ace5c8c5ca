// Package check is what `pinner check` reports of a repository's sites:
// images not pinned to a digest (saying why when pinner cannot pin them),
// values that are no valid reference, and pins that disagree with
// pinner.lock. It reads nothing from the network.
package check

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lint"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// Finding is one site a commit must not carry, in the contract's JSON
// shape.
type Finding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Ref     string `json:"ref"`
	Message string `json:"message"`
}

// Sort orders findings by file and position.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// ReadLock is the lock check compares with (nil when the configuration
// has none): with --staged, the index's
// pinner.lock when git tracks it.
func ReadLock(ctx context.Context, cfg *config.Config, staged bool) (*lock.Lock, error) {
	if cfg.LockPath() == "" {
		return nil, nil
	}
	if staged {
		data, ok, err := workspace.StagedLock(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if ok {
			return lock.Decode(fmt.Sprintf("staged lock file %q", cfg.Lock), data)
		}
	}
	l, _, err := lock.Read(cfg.LockPath())
	return l, err
}

// Lint collects what check warns of without failing: images: entries no
// module references, and sites that look like misspellings of an owned
// repository (see package lint). Add each file's sites, then ask for the
// warnings.
func Lint(cfg *config.Config) *lint.Collector { return lint.New(cfg) }

// Findings turns sites into what check reports. A derived site is not a
// finding of its own: the site it comes from is, and that is where the pin
// gets written.
// Repositories the configuration ignores are never findings.
func Findings(cfg *config.Config, sites []scan.Site) []Finding {
	out := []Finding{}
	for _, s := range sites {
		if !s.Managed(cfg.Ignored) {
			continue
		}
		if s.Invalid {
			msg := fmt.Sprintf("image %q is %s", s.Ref, s.Reason)
			out = append(out, Finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
			continue
		}
		if s.Pinned {
			continue
		}
		msg := fmt.Sprintf("image %q is not pinned to a digest", s.Ref)
		if !s.Editable {
			msg += "; pinner cannot pin it automatically"
			if s.Reason != "" {
				msg += ": " + s.Reason
			}
		} else {
			msg += " (" + updateHint(cfg, &s) + ")"
		}
		out = append(out, Finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
	}
	return out
}

// updateHint is a command that pins s: `pinner update` with the name of
// the configuration image that builds it, or with its reference. A bare
// `pinner update` selects nothing and exits 2.
func updateHint(cfg *config.Config, s *scan.Site) string {
	var names []string
	for _, img := range cfg.Images {
		if r, err := imageref.ParseRepository(img.Repository); err == nil && r.Context() == s.Image.Context() {
			names = append(names, img.Name)
		}
	}
	switch {
	case len(names) == 1:
		return "run: pinner update " + names[0]
	case len(names) > 1 || s.Ref == "":
		return "run: pinner update --all"
	case s.Image.Tag == "":
		return "it has no tag to resolve: write one, then run: pinner update " + s.Ref + ":TAG"
	}
	return "run: pinner update " + s.Ref
}

// LockFindings are the pinned sites whose digest is not the one the lock
// file records for their reference (normalised, with its tag). Sites
// without a tag, and references the lock does not know, are not compared.
func LockFindings(cfg *config.Config, sites []scan.Site, l *lock.Lock) []Finding {
	var out []Finding
	if l == nil {
		return nil
	}
	for _, s := range sites {
		if !s.Managed(cfg.Ignored) || !s.Pinned || s.Image.Tag == "" {
			continue
		}
		e, ok := l.Images[s.Image.Key()]
		if !ok || e.Digest == s.Image.Digest {
			continue
		}
		msg := fmt.Sprintf("image %q is pinned to %s… but %s has %s…",
			s.Ref, imageref.ShortDigest(s.Image.Digest), cfg.Lock, imageref.ShortDigest(e.Digest))
		out = append(out, Finding{File: s.File, Line: s.Line, Column: s.Column, Ref: s.Ref, Message: msg})
	}
	return out
}
