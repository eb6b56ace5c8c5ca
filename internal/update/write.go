package update

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
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
		return nil, diag.AsOutside(fmt.Errorf("another pinner update is running in %s (%s; lock file %s); wait for it, or pass --wait", abs, who, held.Path))
	}
	if errors.Is(err, runlock.ErrNotAFile) {
		return nil, diag.AsBadInput(err)
	}
	if err != nil {
		return nil, diag.AsOutside(err)
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
func outputPaths(cfg *config.Config, outs []Output, prBody string) []string {
	var out []string
	for _, o := range outs {
		out = append(out, o.Path)
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
