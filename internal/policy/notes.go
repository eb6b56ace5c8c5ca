package policy

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/tagver"
)

// ClassOf is the class of the step from oldTag to newTag of repo, read
// with the versioning of its policy (loose without one): Digest when the
// tag stays, Major when either tag is no version of it.
func ClassOf(cfg *config.Config, repo, oldTag, newTag string) tagver.Class {
	if oldTag == "" || oldTag == newTag {
		return tagver.Digest
	}
	scheme := tagver.Loose
	if p := cfg.PolicyFor(repo); p != nil {
		scheme = p.Versioning
	}
	a, aok := scheme.Parse(oldTag)
	b, bok := scheme.Parse(newTag)
	if !aok || !bok {
		return tagver.Major
	}
	return max(tagver.StepOf(a, b), tagver.Patch)
}

// The labels of the OCI image spec that say where an image comes from.
const (
	labelSource   = "org.opencontainers.image.source"
	labelVersion  = "org.opencontainers.image.version"
	labelRevision = "org.opencontainers.image.revision"
)

// ReleaseNotes is a link to what changed between the images oldTag and
// newTag of repo name, from the labels of the new image (and of the old
// one, when the registry still serves it): for a GitHub source, the
// comparison of the two revisions or versions, else the release of the
// new version, else the releases page; for another https source, the
// source itself. "" when the new image names no source.
func ReleaseNotes(ctx context.Context, reg Registry, repo, oldTag, newTag string) (string, error) {
	newLabels, err := labels(ctx, reg, imageref.MakeKey(repo, newTag))
	if err != nil || newLabels[labelSource] == "" {
		return "", err
	}
	var oldLabels map[string]string
	if oldTag != "" {
		// The old image may be gone; the link then does without it.
		oldLabels, _ = labels(ctx, reg, imageref.MakeKey(repo, oldTag))
		if sourceKey(oldLabels[labelSource]) != sourceKey(newLabels[labelSource]) {
			oldLabels = nil
		}
	}
	return notesURL(newLabels[labelSource], oldLabels[labelVersion], newLabels[labelVersion],
		oldLabels[labelRevision], newLabels[labelRevision]), nil
}

// sourceKey is a source URL compared loosely: "https://github.com/x/y",
// ".../y.git" and ".../y/" are one repository.
func sourceKey(s string) string {
	return strings.TrimSuffix(strings.TrimRight(strings.ToLower(strings.TrimSpace(s)), "/"), ".git")
}

// labels are the labels of the first platform image that has any.
func labels(ctx context.Context, reg Registry, key imageref.Key) (map[string]string, error) {
	in, err := reg.Inspect(ctx, string(key))
	if err != nil {
		return nil, err
	}
	for _, img := range in.Images {
		if len(img.Labels) > 0 {
			return img.Labels, nil
		}
	}
	return nil, nil
}

var (
	reName     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`) })
	reRevision = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{7,64}$`) })
	reVersion  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$`) })
)

// notesURL builds the link from label values, which are outside data:
// only a well-formed https (or http) URL comes out, and GitHub paths only
// from names and versions that need no escaping.
func notesURL(source, oldVer, newVer, oldRev, newRev string) string {
	u, err := url.Parse(strings.TrimSpace(source))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	if !strings.EqualFold(u.Hostname(), "github.com") {
		u.RawQuery, u.Fragment = "", ""
		if s := u.String(); !strings.ContainsAny(s, "()[]<>`\"' |") {
			return s
		}
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || !reName().MatchString(parts[0]) || !reName().MatchString(strings.TrimSuffix(parts[1], ".git")) {
		return ""
	}
	base := "https://github.com/" + parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
	switch {
	case reRevision().MatchString(oldRev) && reRevision().MatchString(newRev) && oldRev != newRev:
		return base + "/compare/" + oldRev + "..." + newRev
	case reVersion().MatchString(oldVer) && reVersion().MatchString(newVer) && oldVer != newVer:
		return base + "/compare/" + oldVer + "..." + newVer
	case reVersion().MatchString(newVer):
		return base + "/releases/tag/" + newVer
	}
	return base + "/releases"
}
