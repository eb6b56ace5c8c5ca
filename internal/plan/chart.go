package plan

import (
	"fmt"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/scan"
)

// ChartMove moves a chart fetch (a chart site) to another version of its
// chart: the version is rewritten with the hash Nix computes for it, or
// the site stays as it is.
type ChartMove struct {
	Site    *scan.Site
	Version string
	// Hash is the fetch's hash at Version, computed before the plan (the
	// chart's default images are pinned from the chart it names).
	Hash string
	// Release names the Helm release the chart is installed as, for the
	// changelog ("helm release cert-manager"); "" when no release of the
	// file names it.
	Release string
}

// chartEdits adds the edits of the chart moves: the version at each place
// the fetch spells it, and the hash.
func (p *Plan) chartEdits(moves []ChartMove, state func(string) (*fileState, error), changes map[changeKey]*Change) error {
	for _, m := range moves {
		s, c := m.Site, m.Site.Chart
		if c == nil || m.Version == c.Version {
			continue
		}
		hash := m.Hash
		if hash == "" {
			return fmt.Errorf("moving %s to %s: no hash", s.Position(), m.Version)
		}
		fs, err := state(s.File)
		if err != nil {
			return err
		}
		if err := chartUnchanged(fs, s); err != nil {
			return err
		}
		edits, note := chartSiteEdits(fs, s, m.Version, hash)
		if note != "" {
			p.note(s, Warn, "pinner cannot move the chart: "+note)
			continue
		}
		fs.edits = append(fs.edits, edits...)
		fs.charts = append(fs.charts, chartPin{site: s, version: m.Version, hash: hash})
		source := "chart " + c.Name
		if m.Release != "" {
			source = "helm release " + m.Release + " (chart " + c.Name + ")"
		}
		key := imageref.MakeKey(c.ID(), m.Version)
		ck := changeKey{key: key, oldTag: c.Version, source: source}
		ch := changes[ck]
		if ch == nil {
			ch = &Change{Ref: key, Repository: c.ID(), Tag: m.Version, OldTag: c.Version, New: hash, Source: source, Chart: true}
			changes[ck] = ch
		}
		ch.from(c.Version, c.Hash.Value, s.File)
	}
	return nil
}

// chartPin is a chart site moved, to check in the rewritten file.
type chartPin struct {
	site          *scan.Site
	version, hash string
}

// chartSiteEdits rewrites the version texts and the hash of a chart site.
func chartSiteEdits(fs *fileState, s *scan.Site, version, hash string) ([]Edit, string) {
	c := s.Chart
	if len(c.Versions) == 0 || c.Hash == nil {
		return nil, "its version or hash is not a string of this file"
	}
	// The version is rewritten at its variable's binding only when the
	// fetch is all that uses the variable; an image tag that follows it
	// (`tag = "v${version}";`) must not move without its digest, so then
	// the fetch gets a literal of its own.
	onlyHere := func(_ *scan.Site, tx *scan.Text) bool {
		for _, u := range tx.Uses {
			mine := false
			for _, v := range c.Versions {
				mine = mine || (v.Use != (syntax.Span{}) && u.Start >= v.Use.Start && u.End <= v.Use.End)
			}
			if !mine {
				return false
			}
		}
		return true
	}
	var out []Edit
	if v := c.Versions; len(v) == 1 && c.VersionInherit != (syntax.Span{}) && !onlyHere(s, &v[0]) {
		// `inherit version;` of a variable others use: the set gets a
		// binding of its own.
		out = append(out, Edit{Start: c.VersionInherit.Start, End: c.VersionInherit.End, New: c.VersionKey + " = " + rewrite.Quoted(version) + ";"})
		return append(out, Edit{Start: c.Hash.Span.Start, End: c.Hash.Span.End, New: hash}), ""
	}
	for i := range c.Versions {
		e, note := textEdit(fs, s, &c.Versions[i], version, true, onlyHere)
		if note != "" {
			return nil, note
		}
		out = append(out, e...)
	}
	return append(out, Edit{Start: c.Hash.Span.Start, End: c.Hash.Span.End, New: hash}), ""
}

// chartUnchanged makes sure the file still has the chart site where the
// scan found it.
func chartUnchanged(fs *fileState, s *scan.Site) error {
	for _, now := range scan.File(fs.f) {
		if now.Offset == s.Offset && now.Form == scan.FormChart && now.Ref == s.Ref {
			return nil
		}
	}
	return fmt.Errorf("rewriting %s: %w", s.Position(), ErrChanged)
}

// checkCharts scans the rewritten file and makes sure every chart moved
// in it names its new version with its new hash.
func checkCharts(fs *fileState, nf *syntax.File) error {
	if len(fs.charts) == 0 {
		return nil
	}
	at := map[int]*scan.Site{}
	after := scan.File(nf)
	for i := range after {
		at[after[i].Offset] = &after[i]
	}
	offsets := rewrite.NewOffsets(fs.edits)
	for _, cp := range fs.charts {
		s := at[offsets.Map(cp.site.Offset)]
		switch {
		case s == nil || s.Chart == nil:
			return fmt.Errorf("rewriting %s: the chart fetch is gone after the edit", cp.site.Position())
		case s.Chart.Version != cp.version || s.Chart.Hash == nil || s.Chart.Hash.Value != cp.hash || s.Chart.ID() != cp.site.Chart.ID():
			return fmt.Errorf("rewriting %s: after the edit the chart reads %s, want version %s with hash %s", cp.site.Position(), s.Ref, cp.version, cp.hash)
		}
	}
	return nil
}
