// Package nixbuild is the only package that runs Nix. It builds many
// installables with as few `nix build --json` invocations as the command
// line allows, checks the store paths Nix reports, and reads the image name
// and tag that dockerTools-style derivations declare. EvalFlakeImages finds
// the images a flake declares with `nix eval --json`, building nothing.
package nixbuild

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
)

// systems maps an OCI platform to the Nix system that builds it.
var systems = map[string]string{
	"linux/amd64":  "x86_64-linux",
	"linux/arm64":  "aarch64-linux",
	"linux/arm/v7": "armv7l-linux",
	"linux/386":    "i686-linux",
}

// NixSystem returns the Nix system for an OCI platform such as
// "linux/arm64" ("aarch64-linux"). "linux/arm64/v8" is "linux/arm64".
func NixSystem(platform string) (string, error) {
	p := strings.TrimSuffix(platform, "/v8")
	if s, ok := systems[p]; ok {
		return s, nil
	}
	return "", fmt.Errorf("mapping platform %q to a Nix system: %w: supported are %s",
		platform, ErrBadInput, strings.Join(slices.Sorted(maps.Keys(systems)), ", "))
}

// SystemArg is the argument a file-based build receives to select its
// platform, unless the configuration's args already set it. The fixture
// images (modules-fixtures/oci-images) take it as `{ system ? ... }:`; Nix
// passes --argstr only to functions that declare the argument, so a file
// that ignores platforms still evaluates (and the image's declared
// architecture then shows the mistake when it is published).
const SystemArg = "system"

// Installable is one thing to build: a flake output, or an attribute of a
// Nix file called with string arguments. Exactly one of Flake and File is
// set.
type Installable struct {
	// Flake is a flake output reference with {system} already expanded,
	// e.g. "/repo#images.x86_64-linux.backup-toolbox".
	Flake string
	// File is the OS path of a Nix file; Attr selects an attribute of its
	// value ("" is the value itself) and Args are passed with --argstr.
	File string
	Attr string
	Args map[string]string

	// Image and Platform say what the installable is for; they do not
	// change the build.
	Image    string
	Platform string
}

// String is the installable as a person would type it after `nix build`.
func (in Installable) String() string {
	if in.Flake != "" {
		return in.Flake
	}
	var b strings.Builder
	b.WriteString("-f ")
	b.WriteString(in.File)
	for _, k := range slices.Sorted(maps.Keys(in.Args)) {
		fmt.Fprintf(&b, " --argstr %s %s", k, in.Args[k])
	}
	if in.Attr != "" {
		b.WriteString(" ")
		b.WriteString(in.Attr)
	}
	return b.String()
}

// ForImage returns one Installable per platform of img, in the order of
// img.Platforms. A flake reference gets {system} replaced, and a path-like
// flake ("." or "./sub") is made absolute against the configuration's
// directory so builds do not depend on the working directory. A file build
// gets --argstr system <nix system> unless img's args set "system".
func ForImage(c *config.Config, img *config.Image) ([]Installable, error) {
	platforms := img.Platforms
	if len(platforms) == 0 {
		platforms = []string{config.DefaultPlatform}
	}
	var out []Installable
	for _, p := range platforms {
		sys, err := NixSystem(p)
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", img.Name, err)
		}
		in := Installable{Image: img.Name, Platform: p}
		switch {
		case img.Build.Flake != "":
			in.Flake = absFlake(c.Dir, strings.ReplaceAll(img.Build.Flake, "{system}", sys))
		case img.Build.File != "":
			in.File = c.BuildFilePath(img)
			in.Attr = strings.ReplaceAll(img.Build.Attr, "{system}", sys)
			in.Args = maps.Clone(img.Build.Args)
			if in.Args == nil {
				in.Args = map[string]string{}
			}
			if _, ok := in.Args[SystemArg]; !ok {
				in.Args[SystemArg] = sys
			}
		default:
			return nil, fmt.Errorf("image %q: %w: build has neither flake nor file", img.Name, ErrBadInput)
		}
		out = append(out, in)
	}
	return out, nil
}

// absFlake makes a path flake reference ("." , "./x", "../x") absolute;
// anything else (github:..., path:..., /abs) is left alone.
func absFlake(dir, ref string) string {
	loc, frag, hasFrag := strings.Cut(ref, "#")
	if loc != "." && loc != ".." && !strings.HasPrefix(loc, "./") && !strings.HasPrefix(loc, "../") {
		return ref
	}
	if dir == "" {
		return ref
	}
	abs := filepath.Join(dir, loc)
	if a, err := filepath.Abs(abs); err == nil {
		abs = a
	}
	if hasFrag {
		return abs + "#" + frag
	}
	return abs
}

// group is one `nix build` invocation: all flake installables, or all
// file installables sharing a file and arguments.
type group struct {
	file string
	args map[string]string
	// members index into the installables given to Build; attrs are their
	// distinct installable arguments, in first-seen order.
	members []int
	attrs   []string
	attrIdx []int // members[i] builds attrs[attrIdx[i]]
}

// groupKey identifies a group: "" for flakes with an attribute path. A
// flake reference without one builds the flake's default package and gets
// a group of its own, since its derivation cannot be looked up by
// appending ".drvPath" (see Builder.run).
func groupKey(in Installable) string {
	if in.Flake != "" {
		if !strings.Contains(in.Flake, "#") {
			return "flake\x00" + in.Flake
		}
		return ""
	}
	var b strings.Builder
	b.WriteString("f\x00")
	b.WriteString(in.File)
	for _, k := range slices.Sorted(maps.Keys(in.Args)) {
		b.WriteString("\x00" + k + "=" + in.Args[k])
	}
	return b.String()
}

// plan groups installables, keeping the order of first appearance, and
// dedupes identical installables within a group so that Nix's JSON list
// lines up one to one with the arguments.
func plan(ins []Installable) []*group {
	var groups []*group
	byKey := map[string]*group{}
	for i, in := range ins {
		k := groupKey(in)
		g, ok := byKey[k]
		if !ok {
			g = &group{file: in.File, args: in.Args}
			byKey[k] = g
			groups = append(groups, g)
		}
		attr := in.Flake
		if in.Flake == "" {
			attr = in.Attr
		}
		j := slices.Index(g.attrs, attr)
		if j < 0 {
			j = len(g.attrs)
			g.attrs = append(g.attrs, attr)
		}
		g.members = append(g.members, i)
		g.attrIdx = append(g.attrIdx, j)
	}
	return groups
}

// argv is the command line of one group, without the nix binary.
// extra (registry.yaml's nix_args) go after pinner's own options, as
// given.
func (g *group) argv(extra []string) []string {
	args := append([]string{"build", "--no-link", "--json"}, extra...)
	args = append(args, g.common()...)
	return append(args, g.attrs...)
}

// evalArgv prints the derivation path of the group's i-th attribute.
func (g *group) evalArgv(i int) []string {
	attr := g.attrs[i] + ".drvPath"
	if g.attrs[i] == "" {
		attr = "drvPath"
	}
	args := append([]string{"eval", "--raw"}, g.common()...)
	return append(args, attr)
}

// common are the arguments after the subcommand's own, up to "--".
func (g *group) common() []string {
	args := []string{"--extra-experimental-features", "nix-command flakes"}
	if g.file != "" {
		args = append(args, "-f", g.file)
		for _, k := range slices.Sorted(maps.Keys(g.args)) {
			args = append(args, "--argstr", k, g.args[k])
		}
	}
	// "--" keeps an attribute path that starts with "-" from being read as
	// an option; "" is the file's value itself.
	return append(args, "--")
}
