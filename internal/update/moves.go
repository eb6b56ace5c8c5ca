package update

import (
	"context"
	"log/slog"
	"slices"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/plan"
	"github.com/pinner-dev/pinner/internal/policy"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// Move is a tag a policy moves: what --dry-run shows before anything is
// written.
type Move struct {
	Repository string
	From, To   string
	Class      tagver.Class
	// Chart: a chart fetch's version moves (Repository is the chart's).
	Chart bool
}

// Moves are the tag moves of the plan, in the plan's order, majors first.
func (r *Result) Moves() []Move {
	if r.Plan == nil {
		return nil
	}
	var out []Move
	for _, c := range r.Plan.Changes {
		m := Move{Repository: c.Repository, From: c.OldTag, To: c.Tag, Class: r.ann.classes[fromKey(c)], Chart: c.Chart}
		// Changes of one move apart by source (several releases of a
		// chart) are one move.
		if c.OldTag != "" && !c.Owned && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// tagMoves decides, for every selected third-party site whose policy
// moves tags, the tag it moves to. Held-back candidates are logged at info
// level.
func tagMoves(ctx context.Context, cfg *config.Config, r *oci.Resolver, sites []scan.Site, sel func(*scan.Site) bool, cat *catalogue, o Options) (map[imageref.Key]*policy.Decision, error) {
	var keys []imageref.Key
	for i := range sites {
		s := &sites[i]
		if !s.Managed(cfg.Ignored) || !s.Editable || s.Image.Tag == "" || (sel != nil && !sel(s)) || cat.owns(s.Image.Context()) {
			continue
		}
		if p := cfg.PolicyFor(s.Image.Context()); p != nil && p.Update > tagver.Digest {
			keys = append(keys, s.Image.Key())
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	dec, err := policy.Decide(ctx, cfg, r, keys, policy.Options{Jobs: o.Registry.Jobs, Log: o.Log, Progress: o.Progress})
	if err != nil {
		return nil, diag.AsOutside(err)
	}
	for _, k := range keys {
		d := dec[k]
		if !d.Versioned {
			o.Log.LogAttrs(ctx, slog.LevelInfo, "tag is not a version under its policy's versioning; it stays",
				slog.String("ref", string(k)), slog.String("versioning", d.Scheme.String()))
		}
		for _, h := range d.Held {
			o.Log.LogAttrs(ctx, slog.LevelInfo, "policy holds a newer tag back", slog.String("ref", string(k)),
				slog.String("tag", h.Tag), slog.String("reason", h.Reason))
		}
		// Logged once per key.
		d.Held = nil
	}
	return dec, nil
}

// moveOf is plan.Options.Move over the decisions.
func moveOf(dec map[imageref.Key]*policy.Decision) func(*scan.Site) string {
	return func(s *scan.Site) string {
		if d := dec[s.Image.Key()]; d != nil {
			return d.To
		}
		return ""
	}
}

// classesOf is the class of every change of the plan, by the reference
// its sites had.
func classesOf(cfg *config.Config, p *plan.Plan) map[imageref.Key]tagver.Class {
	out := map[imageref.Key]tagver.Class{}
	for _, c := range slices.Concat(p.Changes, p.Unrecorded) {
		out[fromKey(c)] = policy.ClassOf(cfg, c.Repository, c.OldTag, c.Tag)
	}
	return out
}

// fromKey is the reference the sites of c had: its old tag, when it moves.
func fromKey(c plan.Change) imageref.Key {
	if c.OldTag == "" {
		return c.Ref
	}
	return c.Ref.WithTag(c.OldTag)
}

// annotations are what the changelog and the PR body say of each change
// besides its digests, by fromKey.
type annotations struct {
	classes map[imageref.Key]tagver.Class
	notes   map[imageref.Key]string
}

// releaseNotes links what changed for every tag the plan moves; a
// registry that cannot say is a warning, not a failure.
func releaseNotes(ctx context.Context, r *oci.Resolver, p *plan.Plan) (map[imageref.Key]string, []string) {
	out := map[imageref.Key]string{}
	var warnings []string
	for _, c := range p.Changes {
		if c.OldTag == "" || c.Owned || c.Chart {
			continue
		}
		link, err := policy.ReleaseNotes(ctx, r, c.Repository, c.OldTag, c.Tag)
		if err != nil {
			warnings = append(warnings, "no release notes link for "+string(c.Ref)+": "+err.Error())
			continue
		}
		if link != "" {
			out[fromKey(c)] = link
		}
	}
	return out, warnings
}
