package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/tagver"
)

func TestPolicies(t *testing.T) {
	c, err := Parse("registry.yaml", []byte(`version: 1
policies:
  - match: "ghcr.io/pinner-test/*"
    update: minor
    versioning: "regex:(?P<major>\\d+)\\.(?P<minor>\\d+)\\.(?P<patch>\\d+)-(?P<compat>.+)-r(?P<build>\\d+)"
    allow: ">=1.2 <2"
    prerelease: true
    min_age: 72h
  - match: "docker.io/library/*"
    update: patch
    versioning: semver
    min_age: 7d
  - match: "**"
    update: digest
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Policies) != 3 {
		t.Fatalf("got %d policies, want 3", len(c.Policies))
	}
	p := c.Policies[0]
	if p.Update != tagver.Minor || !p.Prerelease || p.MinAge != 72*time.Hour || p.AllowText != ">=1.2 <2" || p.Line != 3 || p.Column != 5 {
		t.Errorf("policy 1 = %+v", p)
	}
	if v, ok := p.Versioning.Parse("17.6.0-debian-12-r5"); !ok || v.Compat != "debian-12" || v.Build != 5 {
		t.Errorf("policy 1 versioning reads %+v, %v", v, ok)
	}
	if c.Policies[1].MinAge != 7*24*time.Hour || c.Policies[1].Versioning != tagver.Semver {
		t.Errorf("policy 2 = %+v", c.Policies[1])
	}
	for repo, want := range map[string]int{
		"ghcr.io/pinner-test/app":          0,
		"busybox":                          1, // a short name is docker.io/library/busybox
		"index.docker.io/library/postgres": 1,
		"ghcr.io/pinner-test/a/b":          2, // * does not cross /
		"quay.io/x/y":                      2,
	} {
		got := c.PolicyFor(repo)
		if got != &c.Policies[want] {
			t.Errorf("PolicyFor(%q) = %+v, want policy %d", repo, got, want+1)
		}
	}
	if d, err := Parse("registry.yaml", []byte("version: 1\n")); err != nil || d.PolicyFor("busybox") != nil {
		t.Errorf("without policies: %v, %v", d, err)
	}
	if p := c.Policies[2]; p.Versioning != tagver.Loose {
		t.Errorf("default versioning = %v, want loose", p.Versioning)
	}
}

func TestPoliciesInvalid(t *testing.T) {
	_, err := Parse("registry.yaml", []byte(`version: 1
policies:
  - match: busybox
    update: huge
  - match: "library/*"
    update: patch
    versioning: "regex:(?P<maj>\\d+)"
    allow: ">= banana"
    prerelease: "yes"
    min_age: 3 days
    extra: 1
  - match: "ghcr.io/X/*"
    update: major
    versioning: "regex:("
  - match: "busybox"
    update: digest
  -
  - update: patch
  - match: "ghcr.io/[a"
    versioning: semverr
    min_age: -1h
  - match: "docker.io/library/busybox"
    update: major
`))
	want := strings.TrimSpace(`
registry.yaml:3:12: invalid match "busybox" in policy 1: it is compared with the normalised repository: write "docker.io/library/busybox"
registry.yaml:4:13: invalid update "huge" in policy 1: want digest, patch, minor or major
registry.yaml:5:12: invalid match "library/*" in policy 2: it is compared with the repository's registry host first: write "docker.io/library/*"
registry.yaml:7:17: invalid versioning "regex:(?P<maj>\\d+)" in policy 2: unknown group "maj": the groups are major, minor, patch, build, compat, prerelease
registry.yaml:8:12: invalid allow ">= banana" in policy 2: not a version constraint such as ">=1.2 <2" or "~1.4"
registry.yaml:9:17: prerelease in policy 2 must be true or false, not a string
registry.yaml:10:14: invalid min_age "3 days" in policy 2: want a duration such as "72h", "90m" or "7d"
registry.yaml:11:5: unknown key "extra" in policy 2
registry.yaml:12:12: invalid match "ghcr.io/X/*" in policy 3: repositories are lower case, so it never matches
registry.yaml:14:17: invalid versioning "regex:(" in policy 3: compiling the regular expression: error parsing regexp: missing closing ): ` + "`^(?:()$`" + `
registry.yaml:15:12: invalid match "busybox" in policy 4: it is compared with the normalised repository: write "docker.io/library/busybox"
registry.yaml:17:4: policy 5 is empty; set match and update
registry.yaml:18:5: missing "match" in policy 6 (a glob over repositories, such as "ghcr.io/owner/*")
registry.yaml:19:5: missing "update" in policy 7 (digest, patch, minor or major)
registry.yaml:19:12: invalid match "ghcr.io/[a" in policy 7: malformed glob (unbalanced [] or {}, or a trailing \)
registry.yaml:20:17: invalid versioning "semverr" in policy 7: want semver, loose or "regex:<expression>"
registry.yaml:21:14: invalid min_age "-1h" in policy 7: want a positive duration`)
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	_, err = Parse("registry.yaml", []byte("version: 1\npolicies:\n  - match: \"ghcr.io/x/*\"\n    update: patch\n  - match: \"ghcr.io/x/*\"\n    update: major\n"))
	if err == nil || err.Error() != `registry.yaml:5:5: policy 2 never applies: policy matching "ghcr.io/x/*" at 3:5 comes first (the first match wins)` {
		t.Errorf("repeated match: %v", err)
	}
	_, err = Parse("registry.yaml", []byte("version: 1\npolicies: {match: x}\n"))
	if err == nil || !strings.Contains(err.Error(), "2:11: policies must be a list of mappings (match:, update:), not a mapping") {
		t.Errorf("policies as a mapping: %v", err)
	}
}
