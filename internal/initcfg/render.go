package initcfg

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
)

// docsURL is the reference of every key.
const docsURL = "https://github.com/pinner-dev/pinner/blob/main/docs/registry-yaml.md"

// Render writes registry.yaml for r: every key it sets, with comments that
// say what the key does and where its value came from, and TODO comments
// for what a person must decide.
func Render(r *Result) []byte {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("# registry.yaml: which Nix modules pinner reads, and which container images")
	line("# this repository builds itself. Written by `pinner init`; edit it freely.")
	line("# Every key, its default and its errors:")
	line("#   %s", docsURL)
	line("#")
	line("# Next:")
	line("#   pinner scan                    # every image reference in the modules")
	line("#   pinner update --all --dry-run  # what pinning them all would change")
	line("#   pinner update --all            # build and push the images below, pin everything")
	line("version: 1")
	line("")

	line("# The Nix files to read: globs relative to this file (** crosses directories).")
	switch m := r.Modules; {
	case len(m.Globs) == 0:
		line("# TODO: no modules found; point this at your kubenix/nixidy modules.")
		line("modules: [%s]", quote(config.DefaultModules))
	default:
		writeWrapped(&b, "# ", "# ", fmt.Sprintf("Found %d module file(s)%s.", len(m.Files), modulesWhy(m)))
		line("modules:")
		for _, g := range m.Globs {
			line("  - %s", quote(g))
		}
	}
	line("")

	line("# What `pinner update` changed is recorded in the changelog, and every digest")
	line("# it pinned in the lock (which `pinner check` compares against); \"\" turns")
	line("# either off.")
	line("changelog: %s", quote(config.DefaultChangelog))
	line("lock: %s", quote(config.DefaultLock))
	line("")

	line("# Images this repository builds with Nix, by name (`pinner build NAME`).")
	line("# `pinner update --all` builds each one that a module references, pushes it,")
	line("# and pins every reference to its repository to the digest it pushed.")
	line("# Third-party images need no entry: pinner resolves their tags.")
	line("#   repository:  where the image is pushed (from the derivation's imageName)")
	line("#   tag:         what it is pushed under; when unset, the derivation's")
	line("#                imageTag, so that changing it in Nix is enough (\"{git}\":")
	line("#                the short hash of HEAD)")
	line("#   platforms:   one build each, pushed together as one multi-platform index")
	line("#   build.flake: the flake output; {system} becomes each platform's Nix")
	line("#                system (x86_64-linux, aarch64-linux, ...)")
	if len(r.Images) == 0 {
		switch {
		case !r.Flake:
			line("# None found: there is no flake.nix. An entry looks like this:")
		default:
			line("# None found in flake.nix. An entry looks like this:")
		}
		line("#   my-app:")
		line("#     repository: ghcr.io/you/my-app")
		line("#     platforms: [linux/amd64]")
		line("#     build:")
		line("#       flake: \".#packages.{system}.my-app\"   # or: file: images/my-app.nix")
		line("images: {}")
		return []byte(b.String())
	}
	line("images:")
	for i, img := range r.Images {
		if i > 0 {
			line("")
		}
		from := fmt.Sprintf("flake.nix: %s (%s)", img.Attr, strings.Join(img.Systems, ", "))
		if img.Tag == "" {
			from += fmt.Sprintf("; tag: its imageTag, now %s", quote(img.DeclaredTag))
		}
		writeWrapped(&b, "  # ", "  # ", from)
		for _, t := range img.Todo {
			writeWrapped(&b, "  # TODO: ", "  #       ", t)
		}
		line("  %s:", img.Name)
		line("    repository: %s", quote(img.Repository))
		if img.Tag != "" {
			line("    tag: %s", quote(img.Tag))
		}
		line("    platforms: [%s]", strings.Join(img.Platforms, ", "))
		line("    build:")
		line("      flake: %s", quote(img.Flake))
	}
	return []byte(b.String())
}

func modulesWhy(m *Modules) string {
	if len(m.Globs) == 1 && m.Globs[0] == config.DefaultModules {
		return " below " + kubenixDir
	}
	return " that set kubernetes.resources, kubernetes.helm.releases, applications.<name> or services.k3s"
}

// quote is s as a YAML double-quoted scalar: JSON's string syntax is YAML's.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeWrapped writes text as comment lines of at most 80 columns, the
// first after first, the others after rest.
func writeWrapped(b *strings.Builder, first, rest, text string) {
	prefix, width := first, 80
	cur := prefix
	for _, w := range strings.Fields(text) {
		if len(cur) > len(prefix) && len(cur)+1+len(w) > width {
			b.WriteString(cur + "\n")
			prefix = rest
			cur = prefix
		}
		if len(cur) > len(prefix) {
			cur += " "
		}
		cur += w
	}
	b.WriteString(cur + "\n")
}
