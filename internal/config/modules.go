package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// ModuleFiles expands the Modules globs against the file system below Dir,
// removes what the Exclude globs match, and returns the regular files found
// as paths joined to Dir, sorted and without duplicates.
//
// A modules glob that matches no file (before exclusion) is an error at its
// position in the file. "**" does not descend into symlinked directories, so
// a link cycle cannot hang the walk; a matched file whose real path is
// outside Dir is an error. An exclude glob naming a directory excludes
// everything below it.
func (c *Config) ModuleFiles() ([]string, error) {
	root := c.Dir
	if root == "" {
		root = "."
	}
	realRoot, err := realPath(root)
	if err != nil {
		return nil, &Error{File: c.Path, Msg: fmt.Sprintf("resolving config directory: %v", err), Err: err}
	}
	fsys := os.DirFS(root)

	var errs ErrorList
	seen := map[string]bool{}
	var files []string
	for i, glob := range c.Modules {
		p := pos{}
		if i < len(c.modulePos) {
			p = c.modulePos[i]
		}
		add := func(msg string) { errs.Add(c.Path, p.line, p.column, msg) }
		what := "modules glob"
		if i >= len(c.modulePos) {
			what = "the default modules glob"
		}

		matches, err := doublestar.Glob(fsys, glob, doublestar.WithNoFollow(), doublestar.WithFailOnIOErrors())
		if err != nil {
			add(fmt.Sprintf("expanding %s %q: %v", what, glob, err))
			continue
		}
		n, dirs := 0, 0
		for _, m := range matches {
			full := filepath.Join(root, filepath.FromSlash(m))
			if c.excluded(m) {
				if fi, err := os.Stat(full); err == nil && fi.Mode().IsRegular() {
					n++
				}
				continue
			}
			fi, err := os.Stat(full) // through symlinks: a link to a file is a file
			if err != nil {
				add(fmt.Sprintf("%s %q matches %s: %v", what, glob, full, unwrapPathError(err)))
				continue
			}
			if fi.IsDir() {
				dirs++
			}
			if !fi.Mode().IsRegular() {
				continue
			}
			n++
			if seen[full] {
				continue
			}
			real, err := realPath(full)
			if err != nil {
				add(fmt.Sprintf("%s %q matches %s: %v", what, glob, full, err))
				continue
			}
			if !inside(realRoot, real) {
				add(fmt.Sprintf("%s %q matches %s, a symlink to %s outside %s", what, glob, full, real, realRoot))
				continue
			}
			seen[full] = true
			files = append(files, full)
		}
		if n == 0 {
			hint := ""
			switch {
			case dirs > 0 && !strings.HasSuffix(glob, ".nix"):
				hint = fmt.Sprintf(", only directories (write %q for the Nix files below them)", glob+"/**/*.nix")
			case dirs > 0:
				hint = ", only directories"
			}
			add(fmt.Sprintf("%s %q matches no files in %s%s", what, glob, root, hint))
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	slices.Sort(files)
	return files, nil
}

// excluded reports whether an Exclude glob matches rel (slash-separated,
// relative to Dir) or one of its parent directories.
func (c *Config) excluded(rel string) bool {
	for _, glob := range c.Exclude {
		if ok, _ := doublestar.Match(glob, rel); ok {
			return true
		}
		if ok, _ := doublestar.Match(strings.TrimSuffix(glob, "/")+"/**", rel); ok {
			return true
		}
	}
	return false
}

func realPath(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", unwrapPathError(err)
	}
	return filepath.Abs(real)
}

func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Excluded reports whether path (an OS path, absolute or relative to the
// working directory) lies below Dir and an Exclude glob matches it or one
// of its parent directories. Commands apply it to the files they are given
// explicitly, so that a pre-commit hook passing every staged .nix file
// skips the excluded ones as the Modules expansion does.
func (c *Config) Excluded(path string) bool {
	if len(c.Exclude) == 0 {
		return false
	}
	root := c.Dir
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	if !repofile.Within(absRoot, abs) {
		return false
	}
	rel, err := filepath.Rel(absRoot, abs)
	if err != nil {
		return false
	}
	return c.excluded(filepath.ToSlash(rel))
}
