package update

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/scan"
)

// catalogue is the configuration's images by normalised repository, and
// which image each site of an owned repository belongs to.
type catalogue struct {
	byRepo map[string][]*config.Image
}

func newCatalogue(cfg *config.Config) *catalogue {
	c := &catalogue{byRepo: map[string][]*config.Image{}}
	for i := range cfg.Images {
		img := &cfg.Images[i]
		if r, err := imageref.ParseRepository(img.Repository); err == nil {
			c.byRepo[r.Context()] = append(c.byRepo[r.Context()], img)
		}
	}
	return c
}

func (c *catalogue) owns(repo string) bool { return len(c.byRepo[repo]) > 0 }

// imageOf is the configuration image a site belongs to. Several images may
// share a repository (an old version kept for a disabled module): a site
// belongs to the one whose fixed tag it carries, else to the only one
// without a fixed tag (tag unset or containing {git}), else to the only
// active one among those. nil when the site is not owned or ambiguous.
func (c *catalogue) imageOf(s *scan.Site) *config.Image {
	if s.Image.Repository == "" {
		return nil
	}
	imgs := c.byRepo[s.Image.Context()]
	if len(imgs) <= 1 {
		if len(imgs) == 1 {
			return imgs[0]
		}
		return nil
	}
	var floating []*config.Image
	for _, img := range imgs {
		fixed := img.Tag != "" && !strings.Contains(img.Tag, "{git}")
		if fixed && s.Image.Tag != "" && img.Tag == s.Image.Tag {
			return img
		}
		if !fixed {
			floating = append(floating, img)
		}
	}
	if len(floating) == 1 {
		return floating[0]
	}
	var active []*config.Image
	for _, img := range floating {
		if img.Status == config.StatusActive {
			active = append(active, img)
		}
	}
	if len(active) == 1 {
		return active[0]
	}
	return nil
}

// ownedImages are the images this run builds: with --all, every image
// that a site references; otherwise those named, and those of the selected
// sites.
func ownedImages(cfg *config.Config, sites []scan.Site, cat *catalogue, sel func(*scan.Site) bool, named []string) []owned.Image {
	want := map[string]bool{}
	for _, n := range named {
		want[n] = true
	}
	for i := range sites {
		s := &sites[i]
		if !s.Managed(cfg.Ignored) || (sel != nil && !sel(s)) {
			continue
		}
		if img := cat.imageOf(s); img != nil {
			want[img.Name] = true
		}
	}
	var out []owned.Image
	for i := range cfg.Images {
		if want[cfg.Images[i].Name] {
			out = append(out, owned.Image{Config: &cfg.Images[i]})
		}
	}
	return out
}

// selector turns --all or the NAME|REF arguments into a site filter, and
// returns the image names among the arguments. An argument that is
// neither an image name nor a reference matching a site is bad input.
func selector(cfg *config.Config, o Options, sites []scan.Site, cat *catalogue) (func(*scan.Site) bool, []string, []string, error) {
	if o.All {
		return nil, nil, nil, nil
	}
	type want struct {
		repo, tag string
		image     *config.Image
	}
	var wants []want
	var named, warnings []string
	for _, arg := range o.Targets {
		if img, ok := cfg.Image(arg); ok {
			r, err := imageref.ParseRepository(img.Repository)
			if err != nil {
				return nil, nil, nil, diag.AsBadInput(err)
			}
			if o.NoBuild && len(o.FromBuilds) == 0 {
				warnings = append(warnings, fmt.Sprintf("%s is built by this repository (images: in registry.yaml) and --no-build is set, so its sites are left alone", arg))
			}
			wants = append(wants, want{repo: r.Context(), image: img})
			named = append(named, arg)
			continue
		}
		r, err := imageref.Parse(arg)
		if err != nil {
			return nil, nil, nil, diag.AsBadInput(fmt.Errorf("%q is neither an image name from the configuration nor a valid reference: %w", arg, err))
		}
		w := want{repo: r.Context(), tag: r.Tag}
		matched := slices.ContainsFunc(sites, func(s scan.Site) bool {
			return s.Image.Repository != "" && s.Image.Context() == w.repo && (w.tag == "" || s.Image.Tag == w.tag)
		})
		if !matched {
			return nil, nil, nil, diag.AsBadInput(fmt.Errorf("no image site matches %q", arg))
		}
		wants = append(wants, w)
	}
	return func(s *scan.Site) bool {
		if s.Image.Repository == "" {
			return false
		}
		for _, w := range wants {
			if s.Image.Context() != w.repo {
				continue
			}
			// A named image selects the sites that belong to it, not
			// those of another image of the same repository.
			if w.image != nil {
				if cat.imageOf(s) == w.image {
					return true
				}
				continue
			}
			if w.tag == "" || s.Image.Tag == w.tag {
				return true
			}
		}
		return false
	}, named, warnings, nil
}

// Owns is the test of whether a normalised repository is one the
// configuration's images build.
func Owns(cfg *config.Config) func(repo string) bool { return newCatalogue(cfg).owns }
