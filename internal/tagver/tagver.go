// Package tagver reads image tags as versions ("1.37", "v2.4.1",
// "1.2.3-alpine", "3.0.0-rc.1") and finds the newest tag of a repository
// that can replace a given one: same prefix style ("v" or none), same
// precision (as many dot-separated numbers), same variant suffix, and by
// default no pre-releases. Versions compare as semver
// (github.com/Masterminds/semver).
package tagver

import (
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Tag is a tag read as a version.
type Tag struct {
	// Raw is the tag as written.
	Raw string
	// Prefix is "v" when the tag is written "v1.2.3", else "".
	Prefix string
	// Parts is how many dot-separated numbers the version has (1 to 3).
	Parts int
	// Variant is a suffix that is not a pre-release ("alpine" in
	// "1.2.3-alpine"); a newer tag must carry the same one.
	Variant string
	// Pre: the suffix is a pre-release ("rc.1", "beta2").
	Pre     bool
	Version *semver.Version
}

var (
	core = regexp.MustCompile(`^([vV]?)(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}`)
	// pre-release suffixes as images spell them.
	pre = regexp.MustCompile(`(?i)^(alpha|beta|rc|pre|preview|dev|snapshot|nightly|a|b)([.\-]?[0-9]+)*$`)
)

// Parse reads tag as a version; ok is false for tags that are not
// ("latest", "stable", "20240101-abc", "1.2.3.4").
func Parse(tag string) (t Tag, ok bool) {
	m := core.FindStringSubmatch(tag)
	if m == nil {
		return Tag{}, false
	}
	rest := tag[len(m[0]):]
	num := strings.TrimPrefix(strings.TrimPrefix(m[0], "v"), "V")
	t = Tag{Raw: tag, Prefix: strings.ToLower(m[1]), Parts: strings.Count(num, ".") + 1}
	switch {
	case rest == "":
	case rest[0] == '-' && len(rest) > 1:
		suffix := rest[1:]
		if pre.MatchString(suffix) {
			t.Pre = true
			num += "-" + suffix
		} else {
			t.Variant = suffix
		}
	default:
		// "1.2.3.4", "1.2rc1", "1.2_x": not a version pinner understands.
		return Tag{}, false
	}
	// Eight-digit dates and the like are build numbers, not versions.
	if t.Parts == 1 && len(m[2]) >= 6 {
		return Tag{}, false
	}
	v, err := semver.NewVersion(num)
	if err != nil {
		return Tag{}, false
	}
	t.Version = v
	return t, true
}

// Options of Newest.
type Options struct {
	// Prerelease allows pre-release tags.
	Prerelease bool
	// SameMajor keeps the major version of the current tag.
	SameMajor bool
}

// Newest returns the newest of tags that can replace current, when it is
// newer than current.
func Newest(current Tag, tags []string, o Options) (string, bool) {
	var best *Tag
	for _, s := range tags {
		t, ok := Parse(s)
		if !ok || t.Prefix != current.Prefix || t.Parts != current.Parts || t.Variant != current.Variant {
			continue
		}
		if t.Pre && !o.Prerelease {
			continue
		}
		if o.SameMajor && t.Version.Major() != current.Version.Major() {
			continue
		}
		if !t.Version.GreaterThan(current.Version) {
			continue
		}
		if best == nil || t.Version.GreaterThan(best.Version) {
			best = &t
		}
	}
	if best == nil {
		return "", false
	}
	return best.Raw, true
}
