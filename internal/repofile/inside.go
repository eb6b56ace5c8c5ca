package repofile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Sentinels of Output, matchable with errors.Is.
var (
	// ErrOutside: the path, or what it resolves to through symlinks,
	// lies outside the repository.
	ErrOutside = errors.New("outside the repository")
	// ErrInGit: the path, or what it resolves to, lies inside .git,
	// which is git's and not pinner's to write.
	ErrInGit = errors.New("inside .git")
)

// Within reports whether p is root or lies below it: whether
// filepath.Rel(root, p) is filepath.IsLocal, or ".". Both must be absolute
// and clean; then p continues root after a separator exactly when it lies
// below it, which is cheaper to ask than Rel (several Cleans), on every
// file of a tree. "..foo" below root is below it.
func Within(root, p string) bool {
	if p == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(p, root)
}

// Output checks a file that pinner is about to write (and may read
// first): path must lie inside the repository root, and so must what it
// resolves to through symlinks (of the file itself, or of the directories
// above it, however many do not exist yet), and neither may lie inside
// root's .git directory. With mayBeOutside, a path that lies outside root
// to begin with is accepted (a command-line flag naming a file elsewhere);
// a path inside root that resolves outside it, and .git, are still not.
func Output(root, path string, mayBeOutside bool) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	real, err := resolve(abs)
	if err != nil {
		return err
	}
	lexical := Within(absRoot, abs) || Within(realRoot, abs)
	for _, g := range []string{filepath.Join(absRoot, ".git"), filepath.Join(realRoot, ".git")} {
		if Within(g, abs) || Within(g, real) {
			return fmt.Errorf("it resolves to %s, %w, which holds git's own files", real, ErrInGit)
		}
	}
	switch {
	case !lexical && mayBeOutside:
		return nil
	case !lexical:
		return fmt.Errorf("%w %s", ErrOutside, absRoot)
	case !Within(realRoot, real):
		return fmt.Errorf("it resolves to %s, %w %s", real, ErrOutside, absRoot)
	}
	return nil
}

// resolve is abs with every symlink resolved, for a path whose last
// elements may not exist yet: the nearest existing ancestor is resolved
// and the rest joined to it.
func resolve(abs string) (string, error) {
	rest := ""
	p := abs
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		// A dangling symlink names a target that may be created through
		// it: resolve the link's target instead of dropping it.
		if target, lerr := os.Readlink(p); lerr == nil {
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			if rest != "" {
				target = filepath.Join(target, rest)
			}
			if target == abs {
				return "", err
			}
			return resolve(filepath.Clean(target))
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}
