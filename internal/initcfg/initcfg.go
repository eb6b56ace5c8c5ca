// Package initcfg works out a first registry.yaml for a repository: the
// modules globs that cover its kubenix, nixidy or k3s modules, and an
// images: entry for every image its flake builds, found by evaluating the
// flake (never building it). Discover returns what it found and what it
// could not decide; Render writes the file with comments for a newcomer;
// Write puts it in place without ever replacing a file; Init does all three
// for the command. It prints nothing.
package initcfg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/gitrepo"
	"github.com/pinner-dev/pinner/internal/nixbuild"
)

// Evaluator finds the images a flake declares; *nixbuild.Builder is one.
type Evaluator interface {
	EvalFlakeImages(ctx context.Context, dir string) (*nixbuild.FlakeImages, error)
}

// Result is what Discover found in a repository.
type Result struct {
	// Modules are the module globs and the files behind them.
	Modules *Modules
	// Flake: the repository has a flake.nix.
	Flake bool
	// FlakeAttrs is how many flake attributes were looked at.
	FlakeAttrs int
	// Images are the images: entries, in the flake's order.
	Images []Image
	// Notes are what could not be decided and is not about one image: no
	// flake, attributes that failed to evaluate, skipped sets.
	Notes []string
}

// Discover looks at the repository in dir. eval may be nil when there is
// no Nix; the images are then not searched, and a note says so. The error
// is for a repository that cannot be read, or a flake that does not
// evaluate at all (it wraps the evaluator's error).
func Discover(ctx context.Context, dir string, eval Evaluator) (*Result, error) {
	mods, err := FindModules(dir)
	if err != nil {
		return nil, err
	}
	r := &Result{Modules: mods}
	switch {
	case len(mods.Globs) == 0:
		r.Notes = append(r.Notes, fmt.Sprintf("no kubenix, nixidy or k3s modules found (no %s, and no file sets kubernetes.resources, kubernetes.helm.releases, applications.<name> or services.k3s); modules: is the default %q, which matches nothing yet: edit it before running pinner", kubenixDir, config.DefaultModules))
	case mods.Truncated:
		r.Notes = append(r.Notes, fmt.Sprintf("searched only the first %d .nix files for modules; check that modules: covers them all", MaxNixFiles))
	}
	if mods.Unreadable > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d .nix file(s) could not be read as Nix (a syntax error, or larger than %d bytes) and were not looked at", mods.Unreadable, MaxNixFileSize))
	}

	if _, err := os.Stat(filepath.Join(dir, "flake.nix")); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading flake.nix: %w", err)
		}
		r.Notes = append(r.Notes, "no flake.nix: images are found only in a flake's packages, legacyPackages and images outputs; add the images this repository builds under images: by hand (build.file takes a Nix file)")
		return r, nil
	}
	r.Flake = true
	inGit := gitrepo.InWorkTree(ctx, dir)
	if inGit && !gitrepo.Tracks(ctx, dir, "flake.nix") {
		r.Notes = append(r.Notes, "flake.nix is not added to git, and Nix reads only the files git knows in a git repository: git add flake.nix (and what it imports)")
	}
	if eval == nil {
		r.Notes = append(r.Notes, "nix is not installed (apt-get install nix-bin), so flake.nix was not evaluated and images: is empty; run pinner init again with Nix")
		return r, nil
	}
	found, err := eval.EvalFlakeImages(ctx, dir)
	if err != nil {
		return nil, err
	}
	r.FlakeAttrs = len(found.Attrs)
	tag := "latest"
	if inGit && gitrepo.HasCommit(ctx, dir) {
		tag = "{git}"
	}
	var notes []string
	r.Images, notes = images(found, tag)
	r.Notes = append(r.Notes, notes...)
	if len(r.Images) == 0 {
		r.Notes = append(r.Notes, "flake.nix declares no image: no attribute of its packages, legacyPackages or images outputs has imageName (as dockerTools and nix2container images do)")
	}
	return r, nil
}

// ErrExists: Write found a file where it was to write.
var ErrExists = errors.New("file exists")

// Write creates the file at path with data, atomically and only if no file
// is there: the data goes to a temporary file beside it, which is then
// linked to path, and a link never replaces an existing file.
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".pinner-init-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("writing %s: %w", path, ErrExists)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Init is "pinner init": it discovers the repository around path, renders
// registry.yaml and writes it to path, never replacing a file. Nix
// evaluates the flake when it is installed. start, when not nil, is called
// once the checks that need no work have passed, just before the search;
// flake says whether the search evaluates a flake (it can take a while). The errors are diagnostics of a kind
// (diag.KindOf): bad input for an existing file or a flake with an error
// of its own, outside for Nix or the file system failing. Nothing is
// written when Init fails.
func Init(ctx context.Context, path string, start func(flake bool)) (*Result, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, diag.AsBadInput(fmt.Errorf("%s already exists; pinner init never replaces it (move it away to start again)", path))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, diag.AsBadInput(fmt.Errorf("reading %s: %w", path, err))
	}
	dir := filepath.Dir(path)
	var eval Evaluator
	flake := false
	if _, err := exec.LookPath("nix"); err == nil {
		eval = &nixbuild.Builder{Dir: dir}
		_, err := os.Stat(filepath.Join(dir, "flake.nix"))
		flake = err == nil
	}
	if start != nil {
		start(flake)
	}
	res, err := Discover(ctx, dir, eval)
	if err != nil {
		err = fmt.Errorf("%w\nflake.nix does not evaluate; fix it and run pinner init again (nothing was written)", err)
		if errors.Is(err, nixbuild.ErrBadInput) {
			return nil, diag.AsBadInput(err)
		}
		return nil, diag.AsOutside(err)
	}
	data := Render(res)
	// What init writes must load: anything else is pinner's bug, and no
	// file beats a broken one.
	if _, err := config.Parse(path, data); err != nil {
		return nil, diag.AsOutside(fmt.Errorf("the registry.yaml pinner init made does not load (a bug in pinner; nothing was written): %w", err))
	}
	if err := Write(path, data); err != nil {
		if errors.Is(err, ErrExists) {
			return nil, diag.AsBadInput(fmt.Errorf("%s appeared while pinner init ran; it was not replaced", path))
		}
		return nil, diag.AsOutside(err)
	}
	return res, nil
}
