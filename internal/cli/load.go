package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/workspace"
)

// scanResult is what scan and check share: the sites and the parse errors,
// with file names relative to the working directory where possible.
type scanResult struct {
	sites  []scan.Site
	errors diag.List
}

type scanOutput struct {
	Sites  []scan.Site `json:"sites"`
	Errors diag.List   `json:"errors"`
}

// loadConfig finds and loads registry.yaml (--config, PINNER_CONFIG, or
// registry.yaml in the working directory); without one it returns the
// defaults, and found is false.
func loadConfig(g *Globals) (*config.Config, error) {
	path, found, err := config.Find(g.Config, ".")
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	if !found {
		return config.Default("."), nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, withCode(ExitBadInput, err)
	}
	return cfg, nil
}

// loadModulesConfig is loadConfig for a command that reads the modules:
// without a registry.yaml, and without paths that say what to read, it
// says which defaults apply (images the repository builds are unknown
// then, and so pinned as third-party ones).
func loadModulesConfig(env *Env, g *Globals, paths []string) (*config.Config, error) {
	cfg, err := loadConfig(g)
	if err == nil && cfg.Path == "" && len(paths) == 0 && isDir(defaultModules) {
		fmt.Fprintf(env.Info, "pinner: no registry.yaml here: reading %s/**/*.nix with the defaults, no images built by this repository (pinner init writes one)\n", defaultModules)
	}
	return cfg, err
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// loadAndScan loads the configuration and scans paths with it: what scan,
// check and outdated all begin with.
func loadAndScan(ctx context.Context, env *Env, g *Globals, paths []string) (*config.Config, *scanResult, error) {
	cfg, err := loadModulesConfig(env, g, paths)
	if err != nil {
		return nil, nil, err
	}
	res, err := scanPaths(ctx, cfg, paths)
	return cfg, res, err
}

// scanPaths scans the given files and directories; without any, the modules
// of the configuration file, or modules/kubenix when there is none.
//
// The configuration's exclude globs apply to paths given explicitly too
// (files, and the files below directories), so a pre-commit hook can pass
// every staged .nix file. Explicit paths are not limited to the modules
// globs: naming a file is asking for it.
func scanPaths(ctx context.Context, cfg *config.Config, paths []string) (*scanResult, error) {
	files, err := workspace.Files(cfg, paths)
	if err != nil {
		return nil, err
	}
	sites, perrs, err := scan.Files(ctx, files, runtime.NumCPU())
	if err != nil {
		return nil, withCode(ExitOutside, err)
	}
	withConfig(cfg, sites)
	res := &scanResult{sites: sites, errors: diag.List{}}
	if res.sites == nil {
		res.sites = []scan.Site{}
	}
	cwd, _ := os.Getwd()
	for i := range res.sites {
		res.sites[i].File = displayPath(cwd, res.sites[i].File)
	}
	for _, e := range perrs {
		res.errors = append(res.errors, &diag.Error{
			File: displayPath(cwd, e.File), Line: e.Line, Column: e.Column, Msg: e.Msg,
		})
	}
	return res, nil
}

// withConfig makes sites say what the configuration allows, as update
// sees them: nix2container's pullImage sites are editable when it names
// their function.
func withConfig(cfg *config.Config, sites []scan.Site) {
	if cfg.Nix2containerPullFunction != "" {
		scan.AllowNix2container(sites)
	}
}

// displayPath makes p relative to cwd when it lies below it, as the contract
// asks; other paths are shown as they are.
func displayPath(cwd, p string) string { return workspace.RelativeTo(cwd, p) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// relativeErrors are errs with file names relative to the working
// directory, as every command shows them.
func relativeErrors(errs diag.List) diag.List {
	cwd, _ := os.Getwd()
	out := make(diag.List, len(errs))
	for i, e := range errs {
		c := *e
		c.File = displayPath(cwd, e.File)
		out[i] = &c
	}
	return out
}
