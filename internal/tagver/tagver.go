// Package tagver reads image tags as versions and orders them. One model
// serves every scheme: a version is a list of release numbers, an optional
// pre-release, a compat variant ("alpine", "debian-12") that a tag keeps
// when it moves, and an optional build number ("r5" in
// "17.6.0-debian-12-r5") that orders builds of one release. A Scheme
// (semver, loose, or a regular expression with named groups) says how a
// tag is read into that model; Compare, Compatible and StepOf work on the
// model alone.
package tagver

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Version is a tag read as a version.
type Version struct {
	// Raw is the tag as written.
	Raw string
	// Prefix is "v" when the tag is written "v1.2.3", else "".
	Prefix string
	// Release are the dot-separated numbers: [1 2 3] for "1.2.3".
	Release []uint64
	// Pre is the pre-release ("rc.1" in "3.0.0-rc.1"); "" for a release.
	Pre string
	// Compat is the variant a replacing tag must carry too ("alpine" in
	// "1.2.3-alpine", "debian-12" in "17.6.0-debian-12-r5").
	Compat string
	// BuildLabel and Build are the build of the release ("r" and 5 in
	// "-r5"); HasBuild says whether the tag has one.
	BuildLabel string
	Build      uint64
	HasBuild   bool
}

// Compatible reports whether w can replace v: the same prefix, as many
// release numbers, the same compat variant, and a build written the same
// way (or none on both).
func (v Version) Compatible(w Version) bool {
	return v.Prefix == w.Prefix && len(v.Release) == len(w.Release) && v.Compat == w.Compat &&
		v.HasBuild == w.HasBuild && v.BuildLabel == w.BuildLabel
}

// Compare orders a and b: by release numbers, then a pre-release before
// its release (pre-releases by semver's rules), then by build number.
func Compare(a, b Version) int {
	for i := range max(len(a.Release), len(b.Release)) {
		x, y := at(a.Release, i), at(b.Release, i)
		if x != y {
			return cmpU(x, y)
		}
	}
	switch {
	case a.Pre == "" && b.Pre != "":
		return 1
	case a.Pre != "" && b.Pre == "":
		return -1
	}
	if c := comparePre(a.Pre, b.Pre); c != 0 {
		return c
	}
	return cmpU(a.Build, b.Build)
}

func at(r []uint64, i int) uint64 {
	if i < len(r) {
		return r[i]
	}
	return 0
}

func cmpU(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// comparePre compares pre-releases as semver does: identifier by
// identifier, numbers numerically and before words, a shorter list first.
func comparePre(a, b string) int {
	if a == b {
		return 0
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(as), len(bs)) {
		x, xerr := strconv.ParseUint(as[i], 10, 64)
		y, yerr := strconv.ParseUint(bs[i], 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if x != y {
				return cmpU(x, y)
			}
		case xerr == nil:
			return -1
		case yerr == nil:
			return 1
		default:
			if c := strings.Compare(as[i], bs[i]); c != 0 {
				return c
			}
		}
	}
	return len(as) - len(bs)
}

// Class is the size of a step from one version to another.
type Class int

const (
	// Digest: the tag stays; only the digest it names may change.
	Digest Class = iota
	// Patch: the same major and minor version.
	Patch
	// Minor: the same major version.
	Minor
	// Major: a new major version.
	Major
)

var classNames = []string{"digest", "patch", "minor", "major"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classes are the class names, smallest step first.
func Classes() []string { return slices.Clone(classNames) }

// ParseClass reads "digest", "patch", "minor" or "major".
func ParseClass(s string) (Class, bool) {
	i := slices.Index(classNames, s)
	return Class(max(i, 0)), i >= 0
}

// StepOf is the class of the step from v to w: Major when the first
// release number changes, Minor when the second does, Patch for any other
// change (later numbers, pre-release, build), Digest for none.
func StepOf(v, w Version) Class {
	switch {
	case Compare(v, w) == 0:
		return Digest
	case at(v.Release, 0) != at(w.Release, 0):
		return Major
	case at(v.Release, 1) != at(w.Release, 1):
		return Minor
	}
	return Patch
}

// Bounds of what a tag may hold as a version: release numbers fit in
// uint64, and no real scheme has more than six of them.
const (
	maxParts  = 6
	maxDigits = 18
)

// Scheme says how tags are read as versions.
type Scheme struct {
	name string
	re   *regexp.Regexp // regex schemes only
}

// The built-in schemes.
var (
	// Semver reads strict semantic versions, "v" allowed in front:
	// MAJOR.MINOR.PATCH[-PRERELEASE], no leading zeros. A suffix is always
	// a pre-release, never a variant.
	Semver = Scheme{name: "semver"}
	// Loose reads one to six dot-separated numbers ("7", "2.3.4.5307",
	// "2025.12.21"), "v" allowed in front, then optionally "-" and a
	// pre-release ("rc.1", "beta2"), or a compat variant ("alpine",
	// "debian-12") and/or a build ("r5", "ls290", or a bare number when
	// it is the whole suffix).
	Loose = Scheme{name: "loose"}
)

// Groups a regex scheme may name; major is required.
var regexGroups = []string{"major", "minor", "patch", "build", "compat", "prerelease"}

const regexPrefix = "regex:"

// ParseScheme reads "semver", "loose" or "regex:<RE2>". The regular
// expression must match the whole tag and name its parts with groups:
// major (required), minor, patch, build, compat and prerelease.
func ParseScheme(s string) (Scheme, error) {
	switch s {
	case Semver.name:
		return Semver, nil
	case Loose.name:
		return Loose, nil
	}
	expr, ok := strings.CutPrefix(s, regexPrefix)
	if !ok {
		return Scheme{}, errors.New(`want semver, loose or "regex:<expression>"`)
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return Scheme{}, fmt.Errorf("compiling the regular expression: %w", err)
	}
	names := re.SubexpNames()
	for _, n := range names[1:] {
		if n != "" && !slices.Contains(regexGroups, n) {
			return Scheme{}, fmt.Errorf("unknown group %q: the groups are %s", n, strings.Join(regexGroups, ", "))
		}
	}
	if !slices.Contains(names, "major") {
		return Scheme{}, errors.New("the regular expression has no (?P<major>...) group")
	}
	return Scheme{name: s, re: re}, nil
}

// String is the scheme as registry.yaml writes it.
func (s Scheme) String() string { return s.name }

// Parse reads tag as a version of the scheme; ok is false for a tag that
// is not one ("latest", "sha-abc123").
func (s Scheme) Parse(tag string) (Version, bool) {
	switch {
	case s.re != nil:
		return parseRegex(s.re, tag)
	case s.name == Semver.name:
		return parseSemver(tag)
	case s.name == Loose.name:
		return parseLoose(tag)
	}
	return Version{}, false
}

var (
	reSemver = regexp.MustCompile(`^(v?)(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
		`(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?$`)
	reLooseCore = regexp.MustCompile(`^([vV]?)([0-9]+(?:\.[0-9]+)*)`)
	// pre-release suffixes as images spell them.
	rePre = regexp.MustCompile(`(?i)^(alpha|beta|rc|pre|preview|dev|snapshot|nightly|a|b)([.\-]?[0-9]+)*$`)
	// a build at the end of a suffix: "r5", "ls290", "build3".
	reBuild = regexp.MustCompile(`^(r|ls|build)([0-9]+)$`)
)

func parseSemver(tag string) (Version, bool) {
	m := reSemver.FindStringSubmatch(tag)
	if m == nil {
		return Version{}, false
	}
	rel, ok := numbers(m[2:5])
	if !ok {
		return Version{}, false
	}
	return Version{Raw: tag, Prefix: m[1], Release: rel, Pre: m[5]}, true
}

func parseLoose(tag string) (Version, bool) {
	m := reLooseCore.FindStringSubmatch(tag)
	if m == nil {
		return Version{}, false
	}
	rel, ok := numbers(strings.Split(m[2], "."))
	if !ok || len(rel) > maxParts {
		return Version{}, false
	}
	v := Version{Raw: tag, Prefix: strings.ToLower(m[1]), Release: rel}
	rest := tag[len(m[0]):]
	if rest == "" {
		return v, true
	}
	suffix, ok := strings.CutPrefix(rest, "-")
	if !ok || suffix == "" {
		// "1.2rc1", "1.2_x": not a version pinner understands.
		return Version{}, false
	}
	if rePre.MatchString(suffix) {
		v.Pre = suffix
		return v, true
	}
	compat, last := "", suffix
	if i := strings.LastIndexByte(suffix, '-'); i >= 0 {
		compat, last = suffix[:i], suffix[i+1:]
	}
	if b := reBuild.FindStringSubmatch(last); b != nil && len(b[2]) <= maxDigits {
		v.Compat, v.BuildLabel, v.Build, v.HasBuild = compat, b[1], mustUint(b[2]), true
	} else if compat == "" && isDigits(last) && len(last) <= maxDigits {
		// "1.2.3-1": a build of the release, as Debian numbers packages.
		v.Build, v.HasBuild = mustUint(last), true
	} else {
		v.Compat = suffix
	}
	return v, true
}

// Newer returns the tags, read with s, that can replace current and are
// newer than it, newest first; equal versions keep the order of tags.
func Newer(s Scheme, current Version, tags []string) []Version {
	var out []Version
	for _, t := range tags {
		if v, ok := s.Parse(t); ok && current.Compatible(v) && Compare(v, current) > 0 {
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(a, b Version) int { return Compare(b, a) })
	return out
}

func parseRegex(re *regexp.Regexp, tag string) (Version, bool) {
	m := re.FindStringSubmatch(tag)
	if m == nil {
		return Version{}, false
	}
	v := Version{Raw: tag}
	group := map[string]string{}
	for i, n := range re.SubexpNames() {
		if n != "" && m[i] != "" {
			group[n] = m[i]
		}
	}
	for _, n := range []string{"major", "minor", "patch"} {
		s, ok := group[n]
		if !ok {
			break
		}
		if !isDigits(s) || len(s) > maxDigits {
			return Version{}, false
		}
		v.Release = append(v.Release, mustUint(s))
	}
	if len(v.Release) == 0 {
		return Version{}, false
	}
	if b, ok := group["build"]; ok {
		if !isDigits(b) || len(b) > maxDigits {
			return Version{}, false
		}
		v.Build, v.HasBuild = mustUint(b), true
	}
	v.Compat, v.Pre = group["compat"], group["prerelease"]
	return v, true
}

func numbers(parts []string) ([]uint64, bool) {
	out := make([]uint64, 0, len(parts))
	for _, p := range parts {
		if len(p) > maxDigits {
			return nil, false
		}
		out = append(out, mustUint(p))
	}
	return out, true
}

func isDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// mustUint reads digits already checked to fit.
func mustUint(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}
