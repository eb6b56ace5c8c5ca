// Package release finds the Helm releases kubenix (and nixidy) modules
// declare — `helm.releases.NAME = { chart = …; values = …; }` under any
// prefix, written as one set or as dotted bindings — and writes a value into
// a release's `values` the way the module writes its own bindings.
//
// It reads Nix syntax only: a chart is known when it is a path literal or a
// call of a function named `….helm.fetch` (kubenix.lib.helm.fetch) whose
// repo, chart, version and sha256 are string literals.
package release

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// maxDepth bounds the walk through nested expressions.
const maxDepth = 256

// Release is one Helm release a module declares.
type Release struct {
	Name string
	// File, Line and Column are where the release's name is written.
	File         string
	Line, Column int
	// Chart is where the chart comes from; see Chart.Reason when it is not
	// known statically.
	Chart Chart
	// ValuesPath is the attribute path of the release's values from the
	// outermost set of the file, as scan.Site.AttrPath spells it.
	ValuesPath string

	// anchor is the set holding the first binding of the release, and
	// prefix the path from it to the release.
	anchor *syntax.AttrSet
	prefix []string
}

// Position is "file:line:column".
func (r *Release) Position() string { return fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Column) }

// Chart is the chart a release installs: a local path (a directory or a
// .tgz) or a kubenix helm.fetch of a chart repository.
type Chart struct {
	// Path is the chart's OS path, made absolute against the module's
	// directory.
	Path string
	// Repo, Name, Version and SHA256 are the arguments of helm.fetch.
	Repo, Name, Version, SHA256 string
	// DropDotfiles: the fetch's output is the chart's entries without
	// its dotfiles (downloadHelmChart's `mv chart/* $out`), so its hash is
	// of that.
	DropDotfiles bool
	// Reason says why the chart is not known, when neither Path nor Name
	// is set.
	Reason string
	// Arg is the name of the variable a fetch is given its arguments
	// through (`downloadHelmChart rookChart`), "" otherwise.
	Arg string
}

// Find returns the releases f declares, in source order. Paths of charts
// are made absolute against the directory of f.Name.
func Find(f *syntax.File) []*Release {
	w := &walker{f: f, byName: map[string]*Release{}}
	w.expr(f.Root, nil, 0)
	for _, r := range w.out {
		if r.Chart.Path == "" && r.Chart.Name == "" && r.Chart.Reason == "" {
			r.Chart.Reason = "the release names no chart"
		}
	}
	return w.out
}

type walker struct {
	f      *syntax.File
	out    []*Release
	byName map[string]*Release
}

// expr walks e, reached at attribute path path.
func (w *walker) expr(e syntax.Expr, path []string, depth int) {
	if e == nil || depth > maxDepth {
		return
	}
	switch e := e.(type) {
	case *syntax.AttrSet:
		for _, b := range e.Bindings {
			a, ok := b.(*syntax.Assign)
			if !ok {
				continue
			}
			names, ok := staticPath(a.Path)
			if !ok {
				continue
			}
			full := append(slices.Clip(path), names...)
			if w.binding(e, path, full, a) {
				continue
			}
			w.expr(a.Value, full, depth+1)
		}
	case *syntax.Lambda:
		w.expr(e.Body, path, depth+1)
	case *syntax.Let:
		w.expr(e.Body, path, depth+1)
	case *syntax.Paren:
		w.expr(e.X, path, depth+1)
	case *syntax.With:
		w.expr(e.Body, path, depth+1)
	case *syntax.Assert:
		w.expr(e.Body, path, depth+1)
	case *syntax.If:
		w.expr(e.Then, path, depth+1)
		w.expr(e.Else, path, depth+1)
	case *syntax.List:
		for _, x := range e.Elems {
			w.expr(x, path, depth+1)
		}
	case *syntax.Apply:
		// lib.mkIf c { … }, lib.mkMerge [ … ]: the sets are the module's.
		w.expr(e.Fn, path, depth+1)
		w.expr(e.Arg, path, depth+1)
	case *syntax.Binary:
		w.expr(e.X, path, depth+1)
		w.expr(e.Y, path, depth+1)
	}
}

// releaseAt is the index of the release name in full
// (…, "helm", "releases", NAME, …), or -1.
func releaseAt(full []string) int {
	for i := 0; i+2 < len(full); i++ {
		if full[i] == "helm" && full[i+1] == "releases" {
			return i + 2
		}
	}
	return -1
}

// binding records what a binding says of a release; it reports whether
// the binding is done with (a chart or values binding).
func (w *walker) binding(set *syntax.AttrSet, path, full []string, a *syntax.Assign) bool {
	i := releaseAt(full)
	if i < 0 {
		return false
	}
	name := full[i]
	r := w.byName[name]
	if r == nil {
		r = &Release{Name: name, File: w.f.Name, anchor: set, prefix: slices.Clone(full[len(path) : i+1])}
		r.ValuesPath = strings.Join(full[:i+1], ".") + ".values"
		off := set.Start
		if k := i - len(path); k >= 0 && k < len(a.Path) {
			off = a.Path[k].Start
		}
		pos := w.f.Position(off)
		r.Line, r.Column = pos.Line, pos.Column
		w.byName[name] = r
		w.out = append(w.out, r)
	}
	rel := full[i+1:]
	if len(rel) == 1 && rel[0] == "chart" {
		r.Chart = w.chart(a.Value)
		return true
	}
	return len(rel) > 0 && rel[0] == "values"
}

// chart reads a release's chart expression.
func (w *walker) chart(e syntax.Expr) Chart {
	e = unwrap(e)
	switch e := e.(type) {
	case *syntax.Path:
		text := string(w.f.Src[e.Start:e.End])
		for _, p := range e.Parts {
			if _, ok := p.(*syntax.StringText); !ok {
				return Chart{Reason: fmt.Sprintf("the chart path %s is interpolated", text)}
			}
		}
		if !strings.HasPrefix(text, "./") && !strings.HasPrefix(text, "../") && !filepath.IsAbs(text) {
			return Chart{Reason: fmt.Sprintf("the chart path %s is not relative to the module", text)}
		}
		p := text
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(w.f.Name), p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return Chart{Reason: fmt.Sprintf("the chart path %s: %v", text, err)}
		}
		return Chart{Path: abs}
	case *syntax.Apply:
		if !isFetch(e.Fn) {
			if isDownload(e.Fn) {
				// nixidy's: scan's chart sites know its arguments.
				c := Chart{Reason: "downloadHelmChart's arguments are not strings of the module"}
				if id, ok := unwrap(e.Arg).(*syntax.Ident); ok {
					c.Arg = id.Name
				}
				return c
			}
			break
		}
		set, ok := unwrap(e.Arg).(*syntax.AttrSet)
		if !ok {
			c := Chart{Reason: "the helm.fetch argument is not an attribute set written here"}
			if id, ok := unwrap(e.Arg).(*syntax.Ident); ok {
				c.Arg = id.Name
			}
			return c
		}
		var c Chart
		for _, b := range set.Bindings {
			a, ok := b.(*syntax.Assign)
			if !ok || len(a.Path) != 1 || !a.Path[0].Static {
				continue
			}
			dst := map[string]*string{"repo": &c.Repo, "chart": &c.Name, "version": &c.Version, "sha256": &c.SHA256}[a.Path[0].Name]
			if dst == nil {
				continue
			}
			s, ok := unwrap(a.Value).(*syntax.String)
			if !ok {
				return Chart{Reason: fmt.Sprintf("helm.fetch's %s is not a string literal", a.Path[0].Name)}
			}
			v, ok := s.Literal()
			if !ok {
				return Chart{Reason: fmt.Sprintf("helm.fetch's %s has interpolations", a.Path[0].Name)}
			}
			*dst = v
		}
		if c.Repo == "" || c.Name == "" || c.Version == "" || c.SHA256 == "" {
			return Chart{Reason: "helm.fetch needs repo, chart, version and sha256 written as literals"}
		}
		return c
	}
	return Chart{Reason: "the chart is neither a path nor a helm.fetch call written in the module"}
}

// isFetch reports whether fn names a helm.fetch function
// (kubenix.lib.helm.fetch, lib.helm.fetch, helm.fetch).
func isFetch(fn syntax.Expr) bool {
	s, ok := fn.(*syntax.Select)
	if !ok || s.Default != nil {
		return false
	}
	names, ok := staticPath(s.Path)
	n := len(names)
	return ok && n >= 1 && names[n-1] == "fetch" && (n >= 2 && names[n-2] == "helm" || isIdent(s.X, "helm") && n == 1)
}

// isDownload reports whether fn names a downloadHelmChart function
// (lib.helm.downloadHelmChart, kubelib.downloadHelmChart).
func isDownload(fn syntax.Expr) bool {
	switch fn := fn.(type) {
	case *syntax.Ident:
		return fn.Name == "downloadHelmChart"
	case *syntax.Select:
		names, ok := staticPath(fn.Path)
		return ok && fn.Default == nil && len(names) > 0 && names[len(names)-1] == "downloadHelmChart"
	}
	return false
}

func isIdent(e syntax.Expr, name string) bool {
	id, ok := e.(*syntax.Ident)
	return ok && id.Name == name
}

// unwrap sees through parentheses.
func unwrap(e syntax.Expr) syntax.Expr {
	for {
		p, ok := e.(*syntax.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// staticPath is the names of an attribute path, when all are static.
func staticPath(p []*syntax.AttrName) ([]string, bool) {
	out := make([]string, len(p))
	for i, n := range p {
		if !n.Static {
			return nil, false
		}
		out[i] = n.Name
	}
	return out, true
}

// Read parses the module at path and finds its releases. A file that does
// not parse has none (scanning the modules reports its syntax errors).
func Read(path string) ([]*Release, *syntax.File, error) {
	src, err := repofile.Read(path, repofile.MaxModule)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %q: %w", path, err)
	}
	f, err := syntax.Parse(path, src)
	if err != nil {
		return nil, f, nil
	}
	return Find(f), f, nil
}
