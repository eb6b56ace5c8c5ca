package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/google/go-containerregistry/pkg/name"
)

// knownPlatforms are the os/arch pairs of `go tool dist list`: the pairs an
// image index can meaningfully name.
var knownPlatforms = map[string][]string{
	"aix":       {"ppc64"},
	"android":   {"386", "amd64", "arm", "arm64"},
	"darwin":    {"amd64", "arm64"},
	"dragonfly": {"amd64"},
	"freebsd":   {"386", "amd64", "arm", "arm64"},
	"illumos":   {"amd64"},
	"ios":       {"amd64", "arm64"},
	"js":        {"wasm"},
	"linux":     {"386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le", "riscv64", "s390x"},
	"netbsd":    {"386", "amd64", "arm", "arm64"},
	"openbsd":   {"386", "amd64", "arm", "arm64", "ppc64", "riscv64"},
	"plan9":     {"386", "amd64", "arm"},
	"solaris":   {"amd64"},
	"wasip1":    {"wasm"},
	"windows":   {"386", "amd64", "arm64"},
}

// knownVariants are the variants the OCI image spec and containerd use;
// variantHelp says them briefly.
var (
	variantHelp = map[string]string{
		"arm":   "v5, v6, v7 or v8",
		"arm64": "v8, v8.0 to v8.9, v9 or v9.0 to v9.5",
		"amd64": "v1, v2, v3 or v4",
	}
	knownVariants = map[string][]string{
		"arm":   {"v5", "v6", "v7", "v8"},
		"arm64": {"v8", "v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"},
		"amd64": {"v1", "v2", "v3", "v4"},
	}
)

// platformAliases are spellings people bring from uname, Debian and Nix.
var platformAliases = map[string]string{
	"x86_64": "amd64", "x86-64": "amd64", "x64": "amd64",
	"aarch64": "arm64", "armv8": "arm64",
	"armhf": "arm", "armel": "arm", "armv7": "arm", "armv7l": "arm", "armv6l": "arm",
	"i386": "386", "i686": "386", "x86": "386",
	"powerpc64le": "ppc64le", "ppc64el": "ppc64le",
	"x86_64-linux": "linux/amd64", "aarch64-linux": "linux/arm64",
	"armv7l-linux": "linux/arm/v7", "armv6l-linux": "linux/arm/v6",
	"i686-linux": "linux/386", "riscv64-linux": "linux/riscv64",
	"powerpc64le-linux": "linux/ppc64le", "s390x-linux": "linux/s390x",
	"x86_64-darwin": "darwin/amd64", "aarch64-darwin": "darwin/arm64",
}

// checkPlatform validates os/arch[/variant] the way v1.ParsePlatform splits
// it, but refuses pairs no image is built for.
func checkPlatform(p string) error {
	if alias, ok := platformAliases[p]; ok && strings.Contains(alias, "/") {
		return fmt.Errorf("want os/arch[/variant] (did you mean %q?)", alias)
	}
	if strings.Contains(p, ":") {
		return errors.New("os versions are not supported; want os/arch[/variant]")
	}
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return errors.New("want os/arch[/variant]")
	}
	osName, arch := parts[0], parts[1]
	archs, ok := knownPlatforms[osName]
	if !ok {
		return fmt.Errorf("unknown operating system %q%s", osName, didYouMean(osName, mapKeys(knownPlatforms)))
	}
	if !slices.Contains(archs, arch) {
		if alias, ok := platformAliases[arch]; ok && slices.Contains(archs, alias) {
			return fmt.Errorf("unknown architecture %q (did you mean %q?)", arch, osName+"/"+alias)
		}
		all := slices.Concat(slices.Collect(maps.Values(knownPlatforms))...)
		if slices.Contains(all, arch) {
			return fmt.Errorf("architecture %q does not exist for %q", arch, osName)
		}
		return fmt.Errorf("unknown architecture %q%s", arch, didYouMean(arch, archs))
	}
	if len(parts) == 3 {
		variant := parts[2]
		variants := knownVariants[arch]
		if variants == nil {
			return fmt.Errorf("architecture %q has no variants", arch)
		}
		if !slices.Contains(variants, variant) {
			return fmt.Errorf("unknown variant %q for %q (want %s)", variant, arch, variantHelp[arch])
		}
	}
	return nil
}

// checkRepository validates a repository with go-containerregistry and says
// so plainly when a tag or digest was written into it.
func checkRepository(s string) (name.Repository, error) {
	repo, err := name.NewRepository(s)
	if err == nil {
		return repo, nil
	}
	if d, derr := name.NewDigest(s); derr == nil {
		return name.Repository{}, fmt.Errorf("a repository has no digest (write %q)", d.Context().String())
	}
	if t, terr := name.NewTag(s); terr == nil {
		return name.Repository{}, fmt.Errorf("a repository has no tag (write %q and put %q under tag)", t.Context().String(), t.TagStr())
	}
	return name.Repository{}, err
}

var reTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// gitPlaceholder stands for HEAD's short commit (at most 40 hex digits).
const gitPlaceholder = "{git}"

var rePlaceholder = regexp.MustCompile(`\{[^{}]*\}`)

// checkTag validates a tag that may contain {git}.
func checkTag(tag string) error {
	if bad := unknownPlaceholder(tag, gitPlaceholder); bad != "" {
		return fmt.Errorf("unknown placeholder %q (only %q is expanded in tags)", bad, gitPlaceholder)
	}
	// A short commit is 7 to 12 hex digits; check with the longest.
	expanded := strings.ReplaceAll(tag, gitPlaceholder, "0123456789ab")
	if !reTag.MatchString(expanded) {
		return errors.New("a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'")
	}
	return nil
}

// unknownPlaceholder returns the first {...} in s that is not allowed.
func unknownPlaceholder(s string, allowed ...string) string {
	for _, m := range rePlaceholder.FindAllString(s, -1) {
		if !slices.Contains(allowed, m) {
			return m
		}
	}
	return ""
}

// checkInsidePath validates a slash path relative to the config directory.
func checkInsidePath(p string) error {
	if p == "" {
		return errors.New("path is empty")
	}
	if path.IsAbs(p) || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':') {
		return errors.New("path must be relative to the directory of the config file")
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return errors.New("path leaves the directory of the config file")
	}
	if c == "." {
		return errors.New("path names the directory of the config file, not a file in it")
	}
	if c == ".git" || strings.HasPrefix(c, ".git/") {
		// changelog: .git/config was accepted, and broke git.
		return errors.New("path is inside .git, which holds git's own files")
	}
	return nil
}

// checkGlob validates a doublestar glob relative to the config directory.
// Unlike plain paths, a glob may not contain ".." at all: inside {a,b}
// alternatives path.Clean cannot tell whether it escapes.
func checkGlob(g string) error {
	if g == "" {
		return errors.New("glob is empty")
	}
	if strings.HasPrefix(g, "/") {
		return errors.New("glob must be relative to the directory of the config file")
	}
	if !doublestar.ValidatePattern(g) {
		return errors.New("malformed glob (unbalanced [] or {}, or a trailing \\)")
	}
	for _, elem := range strings.FieldsFunc(g, func(r rune) bool { return strings.ContainsRune("/{},", r) }) {
		if elem == ".." {
			return errors.New(`glob must not contain ".." (it could leave the directory of the config file)`)
		}
	}
	return nil
}

// checkMirrorURL validates a mirror base URL and returns its normal form.
func checkMirrorURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parsing URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("want an http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("URL has no host")
	case u.User != nil:
		return "", errors.New("URL must not carry credentials")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("URL must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// checkHost validates a registry host[:port] and returns its normal form.
func checkHost(h string) (string, error) {
	if h == "" {
		return "", errors.New("host is empty")
	}
	reg, err := name.NewRegistry(h)
	if err != nil {
		return "", errors.New("want a registry host[:port], without scheme or path")
	}
	return normalizeHost(reg.RegistryStr()), nil
}

var reImageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// reNixArg is a Nix identifier, the names --argstr accepts.
var reNixArg = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to s,
// or "" when none is close.
func didYouMean(s string, candidates []string) string {
	if best := closest(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func closest(s string, candidates []string) string {
	fold := func(x string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(x))
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		if fold(c) == fold(s) {
			return c
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		if diff := len(s) - len(c); diff > limit || -diff > limit {
			continue
		}
		d := editDistance(s, c)
		if d <= limit && (best == "" || d < bestDist || (d == bestDist && c < best)) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one, so
// "platfrom" is two edits from "platforms".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
