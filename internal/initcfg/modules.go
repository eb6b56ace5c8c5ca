package initcfg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Limits of the search for modules outside modules/kubenix.
const (
	// MaxNixFiles is the most .nix files read; a tree with more is
	// searched that far and the rest is reported.
	MaxNixFiles = 20000
	// MaxNixFileSize skips larger files: generated data, not modules.
	MaxNixFileSize = 4 << 20
	// maxNesting bounds how deep attribute sets are followed.
	maxNesting = 200
)

// kubenixDir is where kubenix repositories keep their modules; when it
// holds .nix files, its glob is the one registry.yaml gets.
const kubenixDir = "modules/kubenix"

// Modules is what FindModules found.
type Modules struct {
	// Globs are the modules globs, slash-separated, relative to the
	// repository; empty when no module was found.
	Globs []string
	// Files are the modules that decided the globs, slash paths relative
	// to the repository (for modules/kubenix: its .nix files).
	Files []string
	// Unreadable counts .nix files skipped: too large, not parsing, or
	// past MaxNixFiles.
	Unreadable int
	Truncated  bool
}

// FindModules picks the modules globs of the repository in dir:
// modules/kubenix/**/*.nix when that directory holds .nix files, else the
// directories of the files that write kubenix, nixidy or NixOS k3s
// options (see isModulePath), as few globs as cover them.
func FindModules(dir string) (*Modules, error) {
	var kubenix []string
	err := walkNix(filepath.Join(dir, filepath.FromSlash(kubenixDir)), func(p string) bool {
		rel, _ := filepath.Rel(dir, p)
		kubenix = append(kubenix, filepath.ToSlash(rel))
		return len(kubenix) < MaxNixFiles
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", kubenixDir, err)
	}
	if len(kubenix) > 0 {
		return &Modules{Globs: []string{config.DefaultModules}, Files: kubenix}, nil
	}

	m := &Modules{}
	seen := 0
	err = walkNix(dir, func(p string) bool {
		seen++
		if seen > MaxNixFiles {
			m.Truncated = true
			return false
		}
		ok, err := writesModuleOptions(p)
		if err != nil {
			m.Unreadable++
			return true
		}
		if ok {
			rel, _ := filepath.Rel(dir, p)
			m.Files = append(m.Files, filepath.ToSlash(rel))
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("searching %s for modules: %w", dir, err)
	}
	m.Globs = coveringGlobs(m.Files)
	return m, nil
}

// walkNix calls f for each .nix file below root, in lexical order, not
// following symlinks and skipping hidden directories (.git, .direnv) and
// Nix result links; it stops when f returns false.
func walkNix(root string, f func(path string) bool) error {
	stop := errors.New("stop")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(name, ".nix") {
			return nil
		}
		if !f(p) {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

// writesModuleOptions parses the file at p and reports whether it sets an
// option that only Kubernetes modules set.
func writesModuleOptions(p string) (bool, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return false, err
	}
	if fi.Size() > MaxNixFileSize {
		return false, fmt.Errorf("%s: larger than %d bytes", p, MaxNixFileSize)
	}
	src, err := os.ReadFile(p)
	if err != nil {
		return false, err
	}
	f, err := syntax.ParseMode(p, src, syntax.SkipTokens)
	if err != nil && f.Root == nil {
		return false, err
	}
	// A file with a syntax error elsewhere still says what it is.
	return visit(f.Root, nil, 0), nil
}

// isModulePath reports whether an attribute path, as a module sets it,
// is one of kubenix's (kubernetes.resources, kubernetes.api.resources,
// kubernetes.helm.releases), nixidy's (applications.<name>) or NixOS's k3s
// options (services.k3s), with or without a leading "config.".
func isModulePath(p []string) bool {
	if len(p) > 0 && p[0] == "config" {
		p = p[1:]
	}
	for _, marker := range [][]string{
		{"kubernetes", "resources"},
		{"kubernetes", "api", "resources"},
		{"kubernetes", "helm", "releases"},
		{"services", "k3s"},
	} {
		if len(p) >= len(marker) && slices.Equal(p[:len(marker)], marker) {
			return true
		}
	}
	return len(p) >= 2 && p[0] == "applications"
}

// visit looks for a module path in e, whose value sits at attribute path
// prefix. Sets nested in sets extend the prefix; so do the wrappers
// modules put around them (a module's function, lib.mkIf and lib.mkMerge,
// let, with, //, if).
func visit(e syntax.Expr, prefix []string, depth int) bool {
	if e == nil || depth > maxNesting {
		return false
	}
	depth++
	switch e := e.(type) {
	case *syntax.AttrSet:
		for _, b := range e.Bindings {
			a, ok := b.(*syntax.Assign)
			if !ok {
				continue
			}
			p := slices.Clone(prefix)
			for _, n := range a.Path {
				// A dynamic name (${x}) is some name: enough for
				// applications.<name>.
				p = append(p, n.Name)
			}
			if isModulePath(p) || visit(a.Value, p, depth) {
				return true
			}
		}
	case *syntax.Paren:
		return visit(e.X, prefix, depth)
	case *syntax.Lambda:
		return visit(e.Body, prefix, depth)
	case *syntax.Apply:
		return visit(e.Arg, prefix, depth) || visit(e.Fn, prefix, depth)
	case *syntax.Let:
		return visit(e.Body, prefix, depth)
	case *syntax.With:
		return visit(e.Body, prefix, depth)
	case *syntax.If:
		return visit(e.Then, prefix, depth) || visit(e.Else, prefix, depth)
	case *syntax.Binary:
		return visit(e.X, prefix, depth) || visit(e.Y, prefix, depth)
	case *syntax.List:
		for _, x := range e.Elems {
			if visit(x, prefix, depth) {
				return true
			}
		}
	}
	return false
}

// coveringGlobs is the fewest "DIR/**/*.nix" globs that cover files, each
// as deep as it can be: the directory all files share, unless that is the
// repository itself; then one glob per top-level directory (the deepest
// directory its files share), and each file at the top by its name.
func coveringGlobs(files []string) []string {
	if len(files) == 0 {
		return nil
	}
	if d := commonDir(files); d != "." {
		return []string{d + "/**/*.nix"}
	}
	groups := map[string][]string{}
	var order []string
	for _, f := range files {
		top, _, nested := strings.Cut(f, "/")
		if !nested {
			top = f
		}
		if _, ok := groups[top]; !ok {
			order = append(order, top)
		}
		groups[top] = append(groups[top], f)
	}
	var globs []string
	for _, top := range order {
		g := groups[top]
		if len(g) == 1 && g[0] == top {
			globs = append(globs, top)
			continue
		}
		globs = append(globs, commonDir(g)+"/**/*.nix")
	}
	return globs
}

// commonDir is the deepest directory holding every file ("." for the top).
func commonDir(files []string) string {
	dir := path.Dir(files[0])
	for _, f := range files[1:] {
		for dir != "." && !strings.HasPrefix(f, dir+"/") {
			dir = path.Dir(dir)
		}
	}
	return dir
}
