// Package lint warns of a registry.yaml and modules that do not fit
// together, in ways that are no error but that their owner would want to
// know of before a run does the wrong thing silently:
//
//   - an `images:` entry that no module references: `pinner update --all`
//     builds only the images some site references, so it is never built;
//   - a site whose repository looks like a misspelling of one the
//     repository builds (the same path on another registry host, or a few
//     characters apart): a typo turns an owned image into a third-party
//     one, which pinner resolves from a registry instead of building it.
//
// A Collector takes the sites a file at a time, so that a caller that
// streams the files keeps only one entry per distinct repository.
package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/scan"
)

// maxDistance is how many single-character edits apart a site's
// repository and an owned one may be to read as a misspelling; fewer for
// short names (see near).
const maxDistance = 2

// owned is one `images:` entry whose repository parses.
type owned struct {
	name string
	repo string // normalised: "ghcr.io/me/app"
	used bool
}

// seen is the first site of a repository that is not owned, and how many
// sites have it.
type seen struct {
	at    string // file:line:column
	ref   string // as written
	sites int
}

// Collector gathers what the warnings need from the sites.
type Collector struct {
	cfg    *config.Config
	owned  []owned
	others map[string]*seen // by normalised repository
}

// New is a Collector for cfg.
func New(cfg *config.Config) *Collector {
	c := &Collector{cfg: cfg, others: map[string]*seen{}}
	for _, img := range cfg.Images {
		if r, err := imageref.ParseRepository(img.Repository); err == nil {
			c.owned = append(c.owned, owned{name: img.Name, repo: r.Context()})
		}
	}
	return c
}

// Add takes the sites of one or more files.
func (c *Collector) Add(sites []scan.Site) {
	for i := range sites {
		s := &sites[i]
		if s.Image.Repository == "" || s.Invalid {
			continue
		}
		repo := s.Image.Context()
		if repo == "" {
			continue
		}
		isOwned := false
		for j := range c.owned {
			if c.owned[j].repo == repo {
				c.owned[j].used, isOwned = true, true
			}
		}
		if isOwned || !s.Managed(c.cfg.Ignored) {
			continue
		}
		if o := c.others[repo]; o != nil {
			o.sites++
			continue
		}
		c.others[repo] = &seen{at: s.Position(), ref: s.Ref, sites: 1}
	}
}

// Warnings are the warnings of everything added: misspellings by the
// position of their first site, then unreferenced images by name.
func (c *Collector) Warnings() []string {
	type near struct {
		at, text string
	}
	var typos []near
	for repo, o := range c.others {
		for _, own := range c.owned {
			why := resembles(repo, own.repo)
			if why == "" {
				continue
			}
			more := ""
			if o.sites > 1 {
				more = fmt.Sprintf(" (and %d more site(s) of %s)", o.sites-1, repo)
			}
			typos = append(typos, near{o.at, fmt.Sprintf(
				"%s: image %q%s is not one this repository builds, but %s the repository of images: %q (%s): if it is a typo, pinner resolves it from a registry instead of building it",
				o.at, o.ref, more, why, own.name, own.repo)})
			break
		}
	}
	slices.SortFunc(typos, func(a, b near) int { return cmp.Compare(a.at, b.at) })
	var out []string
	for _, t := range typos {
		out = append(out, t.text)
	}
	for _, own := range c.owned {
		img, _ := c.cfg.Image(own.name)
		if own.used || img == nil || img.Status == config.StatusDisabled {
			continue
		}
		out = append(out, fmt.Sprintf(
			"images: %q (%s): no module references it, so pinner update --all does not build it; pinner update %s builds it alone (or set status: disabled)",
			own.name, own.repo, own.name))
	}
	return out
}

// resembles says how repo looks like the owned repository own ("" when
// it does not): the same path on another registry host, or a few edits
// apart.
func resembles(repo, own string) string {
	if repo == own {
		return ""
	}
	host, path, _ := strings.Cut(repo, "/")
	ownHost, ownPath, _ := strings.Cut(own, "/")
	if path == ownPath && host != ownHost {
		return "its path is that of"
	}
	// Allowed edits: one per 8 characters of the shorter name, at most
	// maxDistance: "ghcr.io/me/ap" (13) is 1 from "ghcr.io/me/app", and a
	// name of 16 or more may be 2 off; "ghcr.io/a/b" against
	// "ghcr.io/a/c" is 1 of 11, while "quay.io/a" is too short to tell.
	limit := min(maxDistance, min(len(repo), len(own))/8)
	if limit > 0 {
		if d, ok := distance(repo, own, limit); ok && d > 0 {
			return fmt.Sprintf("it is %d character(s) from", d)
		}
	}
	return ""
}

// distance is the Levenshtein distance of a and b when it is at most
// limit (ok false otherwise), computed in a band of 2*limit+1 cells per
// row: the work is bounded by len(a)*(2*limit+1), whatever the names.
func distance(a, b string, limit int) (int, bool) {
	if d := len(a) - len(b); d > limit || -d > limit {
		return 0, false
	}
	const inf = 1 << 30
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
		if j > limit {
			prev[j] = inf
		}
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		for j := range cur {
			cur[j] = inf
		}
		if i <= limit {
			cur[0] = i
		}
		best := cur[0]
		for j := lo; j <= hi; j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
			best = min(best, cur[j])
		}
		if best > limit {
			return 0, false
		}
		prev, cur = cur, prev
	}
	if d := prev[len(b)]; d <= limit {
		return d, true
	}
	return 0, false
}
