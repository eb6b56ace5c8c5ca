// Package workspace is the repository as pinner reads it: which module
// files a command looks at (the paths given, the configuration's modules
// globs, or modules/kubenix), that each is a sane file inside the
// repository, and the staged content of them that a commit would hold.
// It reads; it never writes.
package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/gitrepo"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/repofile"
	"github.com/pinner-dev/pinner/internal/scan"
)

// DefaultModules is where a kubenix repository keeps its modules; it is
// read when no path is given and there is no registry.yaml.
const DefaultModules = "modules/kubenix"

// Files lists the module files to read: the given files and directories
// (every *.nix below a directory); without any, the modules of the
// configuration file, or DefaultModules when there is none.
//
// The configuration's exclude globs apply to paths given explicitly too
// (files, and the files below directories), so a pre-commit hook can pass
// every staged .nix file. Explicit paths are not limited to the modules
// globs: naming a file is asking for it. Every file must be a regular file
// of at most repofile.MaxModule bytes, and one whose path lies in the
// repository must really be there, not a symlink out of it. Problems are
// bad input (diag.KindOf).
func Files(cfg *config.Config, paths []string) ([]string, error) {
	return files(cfg, paths, "; or pass the files or directories to read")
}

// Modules lists the module files of the configuration, or DefaultModules
// when there is none: Files for a command that takes no paths (update),
// whose error says nothing of paths.
func Modules(cfg *config.Config) ([]string, error) {
	return files(cfg, nil, "")
}

// files is Files; orPaths ends the error of a repository with neither
// registry.yaml nor DefaultModules, for a command that takes paths.
func files(cfg *config.Config, paths []string, orPaths string) ([]string, error) {
	explicit := len(paths) > 0
	if len(paths) == 0 && cfg.Path != "" {
		files, err := cfg.ModuleFiles()
		if err != nil {
			return nil, diag.AsBadInput(err)
		}
		paths = files
	}
	if len(paths) == 0 {
		if _, err := os.Stat(DefaultModules); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, diag.AsBadInput(fmt.Errorf("no registry.yaml here and no %s directory: run pinner init to write a registry.yaml naming the modules (or pass --config FILE)%s", DefaultModules, orPaths))
			}
			return nil, diag.AsBadInput(err)
		}
		paths = []string{DefaultModules}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, diag.AsBadInput(fmt.Errorf("reading %q: %w", p, err))
		}
	}
	files, err := scan.Collect(paths)
	if err != nil {
		return nil, diag.AsBadInput(err)
	}
	if explicit {
		files = slices.DeleteFunc(files, cfg.Excluded)
	}
	// After exclusion, as for the modules globs: an excluded link is no error.
	files, err = insideRoot(cfg, files)
	if err != nil {
		return nil, err
	}
	// The scanner reads each file whole: a FIFO would hang it, /dev/zero
	// or a huge file would take all memory.
	var bad []string
	for _, f := range files {
		if err := repofile.Check(f, repofile.MaxModule); err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", f, err))
		}
	}
	if len(bad) > 0 {
		return nil, diag.AsBadInput(fmt.Errorf("%s\na module must be a Nix file of at most %d MiB", strings.Join(bad, "\n"), repofile.MaxModule>>20))
	}
	return files, nil
}

// Staged scans the staged content of the staged .nix files below the
// configuration's directory (and below paths, when given), skipping the
// excluded ones: what the next commit holds. Names are the files' paths
// from the working directory.
func Staged(ctx context.Context, cfg *config.Config, paths []string) ([]scan.FileSites, error) {
	dir := cmp.Or(cfg.Dir, ".")
	var under []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, diag.AsBadInput(err)
		}
		under = append(under, abs)
	}
	keep := func(rel string) bool {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if !strings.HasSuffix(rel, ".nix") || cfg.Excluded(p) {
			return false
		}
		if len(under) == 0 {
			return true
		}
		abs, err := filepath.Abs(p)
		return err == nil && slices.ContainsFunc(under, func(u string) bool { return repofile.Within(u, abs) })
	}
	blobs, err := gitrepo.Staged(ctx, dir, keep, repofile.MaxModule)
	if err != nil {
		return nil, gitError(err)
	}
	var out []scan.FileSites
	for _, b := range blobs {
		name := filepath.Join(dir, filepath.FromSlash(b.Path))
		fs := scan.FileSites{Name: name}
		f, err := syntax.Parse(name, b.Data)
		if !errors.As(err, &fs.Errors) && err != nil {
			return nil, diag.AsOutside(fmt.Errorf("parsing staged %q: %w", name, err))
		}
		fs.Sites = scan.File(f)
		out = append(out, fs)
	}
	return out, nil
}

// StagedLock is the staged content of the configuration's lock file, when
// git tracks it (ok false otherwise).
func StagedLock(ctx context.Context, cfg *config.Config) (data []byte, ok bool, err error) {
	data, ok, err = gitrepo.Indexed(ctx, cmp.Or(cfg.Dir, "."), cfg.Lock, repofile.MaxLock)
	if err != nil {
		return nil, false, gitError(err)
	}
	return data, ok, nil
}

// gitError gives a failure to read git's index its kind.
func gitError(err error) error {
	switch {
	case errors.Is(err, gitrepo.ErrNotRepository):
		return diag.AsBadInput(fmt.Errorf("--staged reads git's index: %w", err))
	case errors.Is(err, gitrepo.ErrTooLarge):
		return diag.AsBadInput(err)
	}
	return diag.AsOutside(fmt.Errorf("reading the staged files: %w", err))
}
