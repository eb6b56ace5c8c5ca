package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/initcfg"
	"github.com/pinner-dev/pinner/internal/progress"
)

// InitCmd writes a first registry.yaml for the repository.
type InitCmd struct{}

// Help is shown by "pinner init --help".
func (InitCmd) Help() string {
	return `Writes registry.yaml in the working directory (or at --config) for the repository there, and prints what it found and what it could not decide. The file loads as it is and works with "pinner update --all"; TODO comments in it mark what a person should decide.

Modules: modules/kubenix/**/*.nix when that directory holds .nix files; otherwise the fewest directory globs that cover the .nix files that set kubenix options (kubernetes.resources, kubernetes.helm.releases), nixidy applications (applications.<name>) or NixOS k3s (services.k3s).

Images: every attribute of flake.nix's packages, legacyPackages and images outputs, per Linux system, whose value declares imageName, as dockerTools and nix2container images do. Each becomes an entry named after the attribute, with imageName as its repository, the platforms of the systems that have it, and build.flake ".#<output>.{system}.<name>"; the tag stays the derivation's imageTag, and an image without one gets "{git}" ("latest" outside git). The flake is evaluated with nix eval and never built; an attribute that fails to evaluate is reported and left out.

pinner init never replaces a file: when registry.yaml exists it exits 2. It exits 2 as well when flake.nix has an error of its own (a syntax error, a missing file), 3 when Nix fails otherwise (an input it cannot fetch); nothing is written then.`
}

// Run discovers, writes and reports.
func (c *InitCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	path := g.Config
	if path == "" {
		path = config.FileName
	}
	var bar *progress.Bar
	res, err := initcfg.Init(ctx, path, func(flake bool) {
		if flake {
			env.plainf("evaluating flake.nix")
		}
		bar = env.Progress.Spinner("looking for modules and images")
	})
	if bar != nil {
		bar.Done()
	}
	env.Progress.Close()
	if err != nil {
		return err
	}
	return printInit(env, path, res)
}

// printInit reports what init found and what a person must still decide.
func printInit(env *Env, path string, res *initcfg.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %s\n", path)
	m := res.Modules
	if len(m.Globs) > 0 {
		fmt.Fprintf(&b, "modules: %s (%s)\n", strings.Join(m.Globs, ", "), progress.Plural(len(m.Files), "file"))
	}
	for _, img := range res.Images {
		tag := img.Tag
		if tag == "" {
			tag = img.DeclaredTag + " (imageTag)"
		}
		fmt.Fprintf(&b, "image %s: %s, tag %s, %s, from %s\n", img.Name, img.Repository, tag, strings.Join(img.Platforms, " "), img.Attr)
	}
	var todo []string
	for _, img := range res.Images {
		for _, t := range img.Todo {
			todo = append(todo, "image "+img.Name+": "+t)
		}
	}
	todo = append(todo, res.Notes...)
	if len(todo) > 0 {
		fmt.Fprintf(&b, "could not decide (see the TODO comments in %s):\n", path)
		for _, t := range todo {
			fmt.Fprintf(&b, "  - %s\n", t)
		}
	}
	fmt.Fprintf(&b, "next: pinner scan, then pinner update --all --dry-run\n")
	_, err := fmt.Fprint(env.Stdout, b.String())
	return err
}
