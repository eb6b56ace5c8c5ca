package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/bmatcuk/doublestar/v4"
	"github.com/goccy/go-yaml/ast"

	"github.com/pinner-dev/pinner/internal/tagver"
)

var policyKeys = keysOf(rawPolicy{})

// maxPolicies bounds the list: every site is matched against each entry.
const maxPolicies = 1000

func (c *checker) policies(l at[[]at[rawPolicy]], n ast.Node, cfg *Config) {
	seq, isSeq := l.n.(*ast.SequenceNode)
	switch {
	case n == nil || l.n == nil:
		return
	case !isSeq:
		c.errorf(n, "policies must be a list of mappings (match:, update:), not %s", kindOf(l.n))
		return
	case len(seq.Values) > maxPolicies:
		c.errorf(n, "policies lists %d entries, more than %d", len(seq.Values), maxPolicies)
		return
	}
	first := map[string]ast.Node{}
	for i, el := range seq.Values[:min(len(l.v), len(seq.Values))] {
		p, ok := c.policy(i+1, el, l.v[i])
		if !ok {
			continue
		}
		if at, dupe := first[p.Match]; dupe {
			c.errorf(el, "policy %d never applies: policy matching %q at %s comes first (the first match wins)", i+1, p.Match, posOf(at))
			continue
		}
		first[p.Match] = el
		cfg.Policies = append(cfg.Policies, p)
	}
}

func (c *checker) policy(i int, el ast.Node, o at[rawPolicy]) (Policy, bool) {
	what := fmt.Sprintf("policy %d", i)
	ctx := " in " + what
	at := posOf(el)
	p := Policy{Versioning: tagver.Loose, Line: at.line, Column: at.column}
	if o.n == nil {
		c.errorf(el, "%s is empty; set match and update", what)
		return p, false
	}
	if !c.mapping(o.n, el, what) {
		return p, false
	}
	nerr := len(c.errs)
	r, f := o.v, c.fields(o.n, ctx, policyKeys)
	if m, ok := c.text(r.Match, f.at("match"), "match"+ctx); !f.has("match") || ok && m == "" {
		c.errorf(el, "missing %q%s (a glob over repositories, such as \"ghcr.io/owner/*\")", "match", ctx)
	} else if ok {
		if c.valid(f.at("match"), "match", m, ctx, checkMatch(m)) {
			p.Match = m
		}
	}
	if !f.has("update") {
		c.errorf(el, "missing %q%s (digest, patch, minor or major)", "update", ctx)
	} else if s, ok := c.enum(r.Update, f.at("update"), "update", ctx, tagver.Classes()); ok {
		p.Update, _ = tagver.ParseClass(s)
	}
	if s, ok := c.text(r.Versioning, f.at("versioning"), "versioning"+ctx); ok && !null(r.Versioning, f.at("versioning")) {
		sc, err := tagver.ParseScheme(s)
		if c.valid(f.at("versioning"), "versioning", s, ctx, err) {
			p.Versioning = sc
		}
	}
	if s, ok := c.text(r.Allow, f.at("allow"), "allow"+ctx); ok && s != "" {
		cons, err := semver.NewConstraint(s)
		if err != nil {
			err = errors.New(`not a version constraint such as ">=1.2 <2" or "~1.4"`)
		}
		if c.valid(f.at("allow"), "allow", s, ctx, err) {
			p.Allow, p.AllowText = cons, s
		}
	}
	if n := f.at("prerelease"); n != nil {
		if b, ok := r.Prerelease.n.(*ast.BoolNode); ok {
			p.Prerelease = b.Value
		} else {
			c.errorf(n, "prerelease%s must be true or false, not %s", ctx, kindOf(r.Prerelease.n))
		}
	}
	if s, ok := c.text(r.MinAge, f.at("min_age"), "min_age"+ctx); ok && !null(r.MinAge, f.at("min_age")) {
		d, err := parseAge(s)
		if c.valid(f.at("min_age"), "min_age", s, ctx, err) {
			p.MinAge = d
		}
	}
	return p, len(c.errs) == nerr
}

// checkMatch validates a glob over normalised repositories. A glob that
// could never match one (a short name, a Docker Hub spelling other than
// docker.io/library/x, upper case) is refused with the spelling that
// would.
func checkMatch(m string) error {
	if !doublestar.ValidatePattern(m) {
		return errors.New("malformed glob (unbalanced [] or {}, or a trailing \\)")
	}
	if strings.ToLower(m) != m {
		return errors.New("repositories are lower case, so it never matches")
	}
	if !strings.ContainsAny(m, "*?[{\\") {
		if norm, ok := normalizeRef(m); ok && norm != m {
			return fmt.Errorf("it is compared with the normalised repository: write %q", norm)
		}
		return nil
	}
	host, _, _ := strings.Cut(m, "/")
	if !strings.ContainsAny(host, ".:*?[{") && host != "localhost" {
		return fmt.Errorf("it is compared with the repository's registry host first: write %q", "docker.io/"+withLibrary(m))
	}
	return nil
}

func withLibrary(m string) string {
	if !strings.Contains(m, "/") {
		return "library/" + m
	}
	return m
}

var reDays = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]{1,5})d$`) })

// parseAge reads a Go duration ("72h", "90m") or whole days ("7d").
func parseAge(s string) (time.Duration, error) {
	if m := reDays().FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, errors.New(`want a duration such as "72h", "90m" or "7d"`)
	case d <= 0:
		return 0, errors.New("want a positive duration")
	}
	return d, nil
}
