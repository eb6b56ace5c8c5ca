// Package config loads and validates registry.yaml, the file that tells pinner
// which Nix modules to scan, which images the repository builds itself, and
// how to reach registries.
//
// Loading is strict: unknown keys, wrong types, duplicate keys, invalid
// references, platforms and enum values, and paths that leave the directory
// of the file are all errors that name file:line:column.
package config

import (
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/bmatcuk/doublestar/v4"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pinner-dev/pinner/internal/tagver"
)

// FileName is the configuration file Find looks for.
const FileName = "registry.yaml"

// Defaults of schema version 1.
const (
	DefaultModules   = "modules/kubenix/**/*.nix"
	DefaultChangelog = "CHANGELOG.md"
	DefaultLock      = "pinner.lock"
	DefaultPlatform  = "linux/amd64"
)

// Style says how a digest is written into an attribute set that has no
// digest key yet.
type Style string

const (
	StyleAuto      Style = "auto"       // keep whatever each site already does
	StyleTagSuffix Style = "tag-suffix" // tag = "<tag>@sha256:..."
	StyleDigestKey Style = "digest-key" // insert digest = "sha256:..."
)

// Status of an image the repository builds.
type Status string

const (
	StatusActive     Status = "active"
	StatusDisabled   Status = "disabled"
	StatusDeprecated Status = "deprecated"
)

// Priority of an image the repository builds.
type Priority string

const (
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

// Config is registry.yaml, schema version 1, with every default applied.
type Config struct {
	// Path is the file the configuration came from; "" for Default.
	Path string
	// Dir holds the file; every relative path in the configuration is
	// relative to it.
	Dir string

	Version int
	// Modules are doublestar globs, slash-separated, relative to Dir.
	Modules []string
	// Exclude globs remove files that Modules matched.
	Exclude []string
	// Changelog is a slash path relative to Dir; "" turns the changelog off.
	Changelog string
	// Lock is a slash path relative to Dir; "" turns the lock file off.
	Lock  string
	Style Style
	// PushTo is "" (push each image to its repository) or "oci:DIR"
	// (an OCI image layout, DIR relative to Dir).
	PushTo string
	// Mirrors maps a registry host to the base URL used instead of it.
	// Keys are lower case, and Docker Hub is always spelled "docker.io";
	// values are absolute http(s) URLs without a trailing slash.
	Mirrors map[string]string
	// Insecure lists registry hosts (host[:port], lower case) that may be
	// reached over plain http.
	Insecure []string
	// Ignore lists repositories pinner never touches, normalised:
	// "busybox" is stored as "docker.io/library/busybox".
	Ignore []string
	// Images are the images this repository builds through Nix, in the
	// order of the file.
	Images []Image
	// NixArgs are added to every `nix build` of the images, unchanged
	// (--max-jobs 4, --builders ..., --option name value).
	NixArgs []string
	// PullFunction is the Nix file (slash path, relative to Dir) whose
	// value is the pullImage function pinner calls to compute a pulled
	// image's hash; "" is nixpkgs' dockerTools.pullImage from <nixpkgs>.
	PullFunction string
	// ChartFunction is the Nix file (slash path, relative to Dir) whose
	// value is the chart fetch pinner calls to compute a moved chart's
	// hash; "" is pinner's own equivalent of the fetch the module calls
	// (kubenix's helm.fetch, nix-kube-generators' downloadHelmChart).
	ChartFunction string
	// Nix2containerPullFunction is the same for the pullImage calls of
	// nix2container (their hash is of another output): "" leaves those
	// sites alone.
	Nix2containerPullFunction string
	// Policies say how far tags may move, in the order of the file; the
	// first whose Match fits a repository applies (PolicyFor).
	Policies []Policy

	// modulePos[i] is where Modules[i] is written; empty for defaults.
	modulePos []pos
}

// Image is one entry under images:.
type Image struct {
	Name string
	// Repository as written, validated: no tag, no digest.
	Repository string
	// Tag is "" when the tag the Nix image declares applies; "{git}" inside
	// it stands for HEAD's short commit, or, while the image's Nix outputs
	// are the ones pinner.lock records, for the commit already in its tag
	// (see owned).
	Tag       string
	ExtraTags []string
	Status    Status
	Priority  Priority
	// Platforms are os/arch[/variant]; at least one.
	Platforms []string
	Build     Build
	Notes     string
	// Source is the org.opencontainers.image.source label the image gets
	// (the repository it is built from); "" adds none.
	Source string
}

// Build says how Nix builds an image: exactly one of Flake and File is set.
type Build struct {
	// Flake is a flake output reference; "{system}" inside it stands for the
	// Nix system of each platform (x86_64-linux, aarch64-linux, ...).
	Flake string
	// File is a slash path relative to Config.Dir of a Nix file.
	File string
	// Attr selects an attribute of File's value; "" means the value itself.
	Attr string
	// Args are passed to File's function as strings.
	Args map[string]string
}

// Policy is one entry under policies:.
type Policy struct {
	// Match is a doublestar glob over the normalised repository
	// ("docker.io/library/busybox" for "busybox").
	Match string
	// Update is the largest step a tag may take; tagver.Digest keeps it.
	Update tagver.Class
	// Versioning reads the tags; tagver.Loose unless written.
	Versioning tagver.Scheme
	// Allow, when set, constrains the version a tag moves to (Masterminds
	// semver syntax, ">=1.2 <2"); AllowText is how it is written.
	Allow     *semver.Constraints
	AllowText string
	// Prerelease lets a tag move to a pre-release.
	Prerelease bool
	// MinAge is how old a candidate image must be; 0 for any age.
	MinAge time.Duration
	// Line and Column are where the entry is written.
	Line, Column int
}

// PolicyFor returns the first policy whose Match fits repo, a repository
// or a full reference in any spelling; nil when none does (the tag stays,
// only its digest is updated).
func (c *Config) PolicyFor(repo string) *Policy {
	norm, ok := normalizeRef(repo)
	if !ok {
		return nil
	}
	for i := range c.Policies {
		if ok, _ := doublestar.Match(c.Policies[i].Match, norm); ok {
			return &c.Policies[i]
		}
	}
	return nil
}

type pos struct{ line, column int }

// Default is the configuration used when no registry.yaml exists.
func Default(dir string) *Config {
	return &Config{
		Dir:       dir,
		Version:   1,
		Modules:   []string{DefaultModules},
		Changelog: DefaultChangelog,
		Lock:      DefaultLock,
		Style:     StyleAuto,
	}
}

// Image returns the image with the given name.
func (c *Config) Image(name string) (*Image, bool) {
	for i := range c.Images {
		if c.Images[i].Name == name {
			return &c.Images[i], true
		}
	}
	return nil, false
}

// Ignored reports whether repo, a repository or a full reference, is one of
// the ignored repositories. Docker Hub spellings compare equal: "busybox",
// "library/busybox" and "index.docker.io/library/busybox:1.37" are all
// "docker.io/library/busybox".
func (c *Config) Ignored(repo string) bool {
	want, ok := normalizeRef(repo)
	if !ok {
		return false
	}
	for _, ig := range c.Ignore {
		if got, ok := normalizeRef(ig); ok && got == want {
			return true
		}
	}
	return false
}

// MirrorFor returns the base URL that replaces registryHost, if a mirror is
// configured for it. "docker.io", "index.docker.io" and
// "registry-1.docker.io" all find the docker.io mirror. The URL is a copy the
// caller may change.
func (c *Config) MirrorFor(registryHost string) (base *url.URL, ok bool) {
	want := normalizeHost(registryHost)
	for host, raw := range c.Mirrors {
		if normalizeHost(host) != want {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, false
		}
		return u, true
	}
	return nil, false
}

// ChangelogPath is the changelog file as an OS path below Dir, or "" when the
// changelog is off.
func (c *Config) ChangelogPath() string { return c.join(c.Changelog) }

// LockPath is the lock file as an OS path below Dir, or "" when the lock file
// is off.
func (c *Config) LockPath() string { return c.join(c.Lock) }

// OCILayoutDir is the OS path of the OCI layout that PushTo names, if it
// names one.
func (c *Config) OCILayoutDir() (string, bool) {
	dir, ok := strings.CutPrefix(c.PushTo, ociPrefix)
	if !ok {
		return "", false
	}
	return c.join(dir), true
}

// PullFunctionPath is the OS path of PullFunction, or "".
func (c *Config) PullFunctionPath() string { return c.join(c.PullFunction) }

// ChartFunctionPath is the OS path of ChartFunction, or "".
func (c *Config) ChartFunctionPath() string { return c.join(c.ChartFunction) }

// Nix2containerPullFunctionPath is the OS path of
// Nix2containerPullFunction, or "".
func (c *Config) Nix2containerPullFunctionPath() string { return c.join(c.Nix2containerPullFunction) }

// BuildFilePath is the OS path of the image's Build.File, or "" for a flake.
func (c *Config) BuildFilePath(img *Image) string { return c.join(img.Build.File) }

func (c *Config) join(slashPath string) string {
	if slashPath == "" {
		return ""
	}
	return filepath.Join(c.Dir, filepath.FromSlash(slashPath))
}

const ociPrefix = "oci:"

// dockerHub is how Docker Hub is spelled in normalised hosts and repositories.
const dockerHub = "docker.io"

func normalizeHost(host string) string {
	host = strings.ToLower(host)
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		return dockerHub
	}
	return host
}

// normalizeRepo spells a repository the way people write it fully:
// registry host first, Docker Hub as docker.io, library/ for official images.
func normalizeRepo(r name.Repository) string {
	return normalizeHost(r.RegistryStr()) + "/" + r.RepositoryStr()
}

func normalizeRef(s string) (string, bool) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return "", false
	}
	return normalizeRepo(ref.Context()), true
}
