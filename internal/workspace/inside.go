package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/repofile"
)

// insideRoot checks that no file to scan is a symlink out of the
// repository: a file whose path lies below the configuration's directory
// must really be there, so that pinner never reads, and update never
// writes, a file elsewhere through a link. (A PATH given outside the
// repository altogether is read as it is, for scan and check.) A file that
// is a symlink within the repository is replaced by its target, made
// relative to the working directory when below it, so that it is read once
// and an update writes the target rather than replacing the link.
func insideRoot(cfg *config.Config, files []string) ([]string, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	absRoot, err := filepath.Abs(dir)
	if err != nil {
		return nil, diag.AsOutside(err)
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return nil, diag.AsBadInput(fmt.Errorf("resolving the repository directory: %w", err))
	}
	cwd, _ := os.Getwd()
	dirs := realDirs{}
	seen := map[string]bool{}
	out := make([]string, 0, len(files))
	var bad []string
	for _, f := range files {
		// filepath.Abs asks the kernel for the working directory each
		// time; once is enough.
		abs := filepath.Clean(f)
		if !filepath.IsAbs(abs) {
			if cwd == "" {
				if abs, err = filepath.Abs(f); err != nil {
					return nil, diag.AsOutside(err)
				}
			} else {
				abs = filepath.Join(cwd, abs)
			}
		}
		real, err := dirs.realPath(abs)
		if err != nil {
			return nil, diag.AsBadInput(fmt.Errorf("resolving %q: %w", f, err))
		}
		lexicallyInside := repofile.Within(absRoot, abs) || repofile.Within(realRoot, abs)
		if lexicallyInside && !repofile.Within(realRoot, real) {
			bad = append(bad, fmt.Sprintf("%s: a symlink to %s, outside the repository %s", f, real, absRoot))
			continue
		}
		name := f
		if lexicallyInside {
			// The target, spelled below the root as the user spells it
			// (the root itself may be reached through a link).
			rel, _ := filepath.Rel(realRoot, real)
			if target := filepath.Join(absRoot, rel); target != abs {
				name = RelativeTo(cwd, target)
			}
		}
		if !seen[real] {
			seen[real] = true
			out = append(out, name)
		}
	}
	if len(bad) > 0 {
		return nil, diag.AsBadInput(fmt.Errorf("%s\npinner reads and writes only files inside the repository; replace the link with the file, or move the file into the repository", strings.Join(bad, "\n")))
	}
	return out, nil
}

// realDirs resolves symlinks with one lstat per file: a directory's real
// path is looked up once and shared by every file in it, and only a file that
// is itself a link is resolved in full. A pre-commit run hands pinner many
// files of few directories, and filepath.EvalSymlinks on each would lstat
// every component of every path.
type realDirs map[string]string

func (d realDirs) realPath(abs string) (string, error) {
	fi, err := os.Lstat(abs)
	if err != nil {
		return "", err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return filepath.EvalSymlinks(abs)
	}
	dir, base := filepath.Split(abs)
	real, ok := d[dir]
	if !ok {
		if real, err = filepath.EvalSymlinks(dir); err != nil {
			return "", err
		}
		d[dir] = real
	}
	return filepath.Join(real, base), nil
}

// RelativeTo makes p relative to cwd when it lies below it.
func RelativeTo(cwd, p string) string {
	if cwd == "" {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil || !repofile.Within(cwd, abs) {
		return p
	}
	rel, err := filepath.Rel(cwd, abs)
	if err != nil {
		return p
	}
	return rel
}
