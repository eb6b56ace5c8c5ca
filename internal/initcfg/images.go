package initcfg

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nixbuild"
)

// Image is one images: entry init writes.
type Image struct {
	// Name is the key under images:, from the attribute name.
	Name string
	// Repository is the derivation's imageName.
	Repository string
	// DeclaredTag is the imageTag every platform declares ("" when none
	// or they differ). Tag is what init writes as tag: ("" writes none, so
	// that the declared tag applies and follows the Nix file).
	DeclaredTag string
	Tag         string
	// Platforms are the OCI platforms of the systems that have it.
	Platforms []string
	// Flake is build.flake: ".#<output>.{system}.<attribute>".
	Flake string
	// Attr is the attribute path with {system}, for people.
	Attr string
	// Systems are the Nix systems it was found for.
	Systems []string
	// Todo says what a person must still decide, one line each.
	Todo []string

	output string
}

// platformOrder sorts platforms the way registry.yaml lists them.
var platformOrder = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386"}

// reImageName is what registry.yaml takes as an image name.
var (
	reImageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	reNotInName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

// reFlakeAttr is an attribute name a flake reference takes unquoted.
var reFlakeAttr = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)

// images turns what the flake declares into images: entries, one per
// repository, and the notes about what could not be decided. gitTag is
// the tag an image without imageTag gets.
func images(found *nixbuild.FlakeImages, gitTag string) ([]Image, []string) {
	var notes []string
	for _, s := range found.Sets {
		if s.Skipped != "" && s.System != "" {
			notes = append(notes, fmt.Sprintf("%s.%s: %s", s.Output, s.System, s.Skipped))
		} else if s.Skipped != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", s.Output, s.Skipped))
		}
	}

	// One candidate per output and attribute name, across systems.
	type candidate struct {
		output, attr string
		bySystem     map[string]nixbuild.FlakeAttr
	}
	var cands []*candidate
	byKey := map[string]*candidate{}
	for _, a := range found.Attrs {
		if a.Err != "" {
			notes = append(notes, fmt.Sprintf("%s.%s.%s: %s", a.Output, a.System, a.Name, a.Err))
			continue
		}
		if !a.IsImage {
			continue
		}
		if a.ImageName == "" {
			notes = append(notes, fmt.Sprintf("%s.%s.%s declares imageName, but not as a string; left out", a.Output, a.System, a.Name))
			continue
		}
		key := a.Output + "\x00" + a.Name
		c, ok := byKey[key]
		if !ok {
			c = &candidate{output: a.Output, attr: a.Name, bySystem: map[string]nixbuild.FlakeAttr{}}
			byKey[key] = c
			cands = append(cands, c)
		}
		c.bySystem[a.System] = a
	}

	// One image per repository: aliases such as packages.default name the
	// same image as its own attribute. The first output of ImageOutputs
	// wins, then a name other than "default", then the shorter name.
	rank := func(c *candidate) (int, int, int) {
		d := 0
		if c.attr == "default" {
			d = 1
		}
		return slices.Index(nixbuild.ImageOutputs, c.output), d, len(c.attr)
	}
	slices.SortStableFunc(cands, func(x, y *candidate) int {
		xo, xd, xl := rank(x)
		yo, yd, yl := rank(y)
		switch {
		case xo != yo:
			return xo - yo
		case xd != yd:
			return xd - yd
		case xl != yl:
			return xl - yl
		}
		return strings.Compare(x.attr, y.attr)
	})

	var out []Image
	byRepo := map[string]Image{}
	names := map[string]bool{}
	for _, c := range cands {
		systems := slices.Sorted(maps.Keys(c.bySystem))
		first := c.bySystem[systems[0]]
		attr := fmt.Sprintf("%s.{system}.%s", c.output, c.attr)
		repoName := first.ImageName
		for _, s := range systems[1:] {
			if n := c.bySystem[s].ImageName; n != repoName {
				notes = append(notes, fmt.Sprintf("%s declares imageName %q for %s but %q for %s; left out (one image, one repository)", attr, repoName, systems[0], n, s))
				repoName = ""
				break
			}
		}
		if repoName == "" {
			continue
		}
		if _, err := imageref.ParseRepository(repoName); err != nil {
			notes = append(notes, fmt.Sprintf("%s: imageName %q is not a repository pinner can push to (%v); left out", attr, repoName, err))
			continue
		}
		if prev, ok := byRepo[normalRepo(repoName)]; ok {
			notes = append(notes, fmt.Sprintf("%s is the image %q again (%s); left out", attr, prev.Name, prev.Attr))
			continue
		}

		slices.SortFunc(systems, func(a, b string) int {
			pa, _ := nixbuild.Platform(a) // the eval searched only these
			pb, _ := nixbuild.Platform(b)
			return slices.Index(platformOrder, pa) - slices.Index(platformOrder, pb)
		})
		img := Image{Repository: repoName, Attr: attr, Systems: systems, output: c.output}
		for _, s := range systems {
			p, _ := nixbuild.Platform(s)
			img.Platforms = append(img.Platforms, p)
		}
		img.Name = imageName(c.attr, c.output, names)
		if img.Name != c.attr {
			img.Todo = append(img.Todo, fmt.Sprintf("named %q: %q is taken or not a valid image name", img.Name, c.attr))
		}
		names[img.Name] = true
		img.Flake = ".#" + c.output + ".{system}." + flakeAttr(c.attr)

		if r, _ := imageref.ParseRepository(repoName); r.Registry() == "" {
			// Written in full: pinner pushes only to a repository that
			// names its registry.
			img.Repository = r.Context()
			img.Todo = append(img.Todo, fmt.Sprintf("imageName %q names no registry, so it is %s on Docker Hub: put your registry in front (ghcr.io/you/%s), here and in imageName", repoName, img.Repository, lastElem(repoName)))
		}

		tags := map[string][]string{}
		var without []string
		for _, s := range systems {
			a := c.bySystem[s]
			if !a.HasTag || a.ImageTag == "" {
				without = append(without, s)
				continue
			}
			tags[a.ImageTag] = append(tags[a.ImageTag], s)
		}
		switch {
		case len(tags) == 0:
			img.Tag = gitTag
			img.Todo = append(img.Todo, fmt.Sprintf("the derivation declares no imageTag; wrote tag: %q — choose the tag to push", gitTag))
		case len(tags) > 1:
			var parts []string
			for _, t := range slices.Sorted(maps.Keys(tags)) {
				parts = append(parts, fmt.Sprintf("%q on %s", t, strings.Join(tags[t], ", ")))
			}
			img.Tag = c.bySystem[systems[0]].ImageTag
			img.Todo = append(img.Todo, fmt.Sprintf("the systems declare different imageTags (%s); wrote tag: %q, which every platform is pushed under", strings.Join(parts, "; "), img.Tag))
		default:
			for t := range tags {
				img.DeclaredTag = t
			}
			if _, err := name.NewTag(normalRepo(repoName)+":"+img.DeclaredTag, name.StrictValidation); err != nil {
				img.Tag = gitTag
				img.Todo = append(img.Todo, fmt.Sprintf("imageTag %q is not a valid tag; wrote tag: %q — choose the tag to push", img.DeclaredTag, gitTag))
				img.DeclaredTag = ""
			} else if len(without) > 0 {
				img.Todo = append(img.Todo, fmt.Sprintf("%s declares no imageTag; the tag %q of the others applies", strings.Join(without, ", "), img.DeclaredTag))
			}
		}
		out = append(out, img)
		byRepo[normalRepo(repoName)] = img
	}
	// The file lists them by output, then by name.
	slices.SortStableFunc(out, func(a, b Image) int {
		if d := slices.Index(nixbuild.ImageOutputs, a.output) - slices.Index(nixbuild.ImageOutputs, b.output); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, notes
}

// normalRepo compares repositories as registries do.
func normalRepo(s string) string {
	r, err := imageref.ParseRepository(s)
	if err != nil {
		return s
	}
	return r.Context()
}

// lastElem is the last element of a repository.
func lastElem(repo string) string {
	return repo[strings.LastIndexByte(repo, '/')+1:]
}

// imageName makes attr a valid, unused images: key.
func imageName(attr, output string, taken map[string]bool) string {
	n := attr
	if !reImageName.MatchString(n) {
		n = strings.Trim(reNotInName.ReplaceAllString(n, "-"), "-._")
		if n == "" {
			n = "image"
		}
	}
	if !taken[n] {
		return n
	}
	for i := 0; ; i++ {
		c := output + "-" + n
		if i > 0 {
			c = fmt.Sprintf("%s-%s-%d", output, n, i+1)
		}
		if !taken[c] {
			return c
		}
	}
}

// flakeAttr is name as an element of a flake attribute path.
func flakeAttr(name string) string {
	if reFlakeAttr.MatchString(name) {
		return name
	}
	return `"` + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), `"`, `\"`) + `"`
}
