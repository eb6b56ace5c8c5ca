package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/runlock"
	"github.com/pinner-dev/pinner/internal/scan"
)

// lockRun takes the repository's run lock for the rest of an update, so
// two updates never interleave their reads and writes (the second would
// otherwise overwrite the first's pins with ones computed from stale
// files). Without wait a held lock is an outside failure at once.
func lockRun(ctx context.Context, cfg *config.Config, wait bool) (*runlock.Lock, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	l, err := runlock.Acquire(ctx, runlock.Path(dir), wait)
	var held *runlock.HeldError
	if errors.As(err, &held) {
		abs, _ := filepath.Abs(dir)
		who := "pid unknown"
		if held.PID > 0 {
			who = fmt.Sprintf("pid %d", held.PID)
		}
		return nil, withCode(ExitOutside, fmt.Errorf("another pinner update is running in %s (%s; lock file %s); wait for it, or pass --wait", abs, who, held.Path))
	}
	if errors.Is(err, runlock.ErrNotAFile) {
		return nil, withCode(ExitBadInput, err)
	}
	if err != nil {
		return nil, withCode(ExitOutside, err)
	}
	return l, nil
}

// renameio names its temporary files "." + base + a decimal number, in the
// directory of the file it replaces.
var tempSuffix = regexp.MustCompile(`^[0-9]{1,19}$`)

// removeStaleTemps deletes the temporary files that a run killed between
// writing and renaming (SIGKILL, power loss) left beside the files pinner
// writes: hidden ".<name>.nix<digits>" files in the modules' directories and
// ".<name><digits>" beside the other outputs. Only called with the run lock
// held, so no other run's pending file is among them. They never parse as
// modules (they do not end in .nix), so this is tidiness, not correctness.
func removeStaleTemps(moduleDirs []string, outputs []string) {
	bases := map[string]map[string]bool{} // dir -> base names written there
	for _, p := range outputs {
		d := filepath.Dir(p)
		if bases[d] == nil {
			bases[d] = map[string]bool{}
		}
		bases[d][filepath.Base(p)] = true
	}
	for _, d := range moduleDirs {
		if bases[d] == nil {
			bases[d] = map[string]bool{}
		}
	}
	for dir, names := range bases {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if !e.Type().IsRegular() || !strings.HasPrefix(n, ".") {
				continue
			}
			stale := false
			if i := strings.LastIndex(n, ".nix"); i > 1 && tempSuffix.MatchString(n[i+len(".nix"):]) {
				stale = true
			}
			for base := range names {
				if rest, ok := strings.CutPrefix(n, "."+base); ok && tempSuffix.MatchString(rest) {
					stale = true
				}
			}
			if stale {
				_ = os.Remove(filepath.Join(dir, n))
			}
		}
	}
}

// siteDirs are the directories of the files that hold image sites.
func siteDirs(sites []scan.Site) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range sites {
		if d := filepath.Dir(s.File); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// outputPaths are the files this update writes, and the changelog and lock
// file it may write on another run.
func outputPaths(cfg *config.Config, outs []output, prBody string) []string {
	var out []string
	for _, o := range outs {
		out = append(out, o.path)
	}
	if prBody != "" {
		out = append(out, prBody)
	}
	for _, p := range []string{cfg.ChangelogPath(), cfg.LockPath()} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

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
		return nil, withCode(ExitOutside, err)
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return nil, withCode(ExitBadInput, fmt.Errorf("resolving the repository directory: %w", err))
	}
	cwd, _ := os.Getwd()
	dirs := realDirs{}
	seen := map[string]bool{}
	out := make([]string, 0, len(files))
	var bad []string
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, withCode(ExitOutside, err)
		}
		real, err := dirs.realPath(abs)
		if err != nil {
			return nil, withCode(ExitBadInput, fmt.Errorf("resolving %q: %w", f, err))
		}
		lexicallyInside := within(absRoot, abs) || within(realRoot, abs)
		if lexicallyInside && !within(realRoot, real) {
			bad = append(bad, fmt.Sprintf("%s: a symlink to %s, outside the repository %s", f, real, absRoot))
			continue
		}
		name := f
		if lexicallyInside {
			// The target, spelled below the root as the user spells it
			// (the root itself may be reached through a link).
			rel, _ := filepath.Rel(realRoot, real)
			if target := filepath.Join(absRoot, rel); target != abs {
				name = displayPath(cwd, target)
			}
		}
		if !seen[real] {
			seen[real] = true
			out = append(out, name)
		}
	}
	if len(bad) > 0 {
		return nil, withCode(ExitBadInput, fmt.Errorf("%s\npinner reads and writes only files inside the repository; replace the link with the file, or move the file into the repository", strings.Join(bad, "\n")))
	}
	return out, nil
}

// within reports whether p is root or below it; both are absolute and clean.
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

func within(root, p string) bool {
	// Both are absolute and clean, so p is below root exactly when it
	// continues it after a separator (filepath.Rel costs several Cleans).
	if p == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(p, root)
}

// writeOrder orders the files an update renames into place: the modules
// (0), the changelog (1), the lock file (2).
func writeOrder(cfg *config.Config, path string) int {
	switch path {
	case cfg.ChangelogPath():
		return 1
	case cfg.LockPath():
		return 2
	}
	return 0
}
