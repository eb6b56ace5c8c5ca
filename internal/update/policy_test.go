package update

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// policyModule writes every form a policy moves: a whole reference in a
// string, a helm-values set, a tag variable shared by a set and a string
// of one repository, and a tag variable shared by two repositories.
const policyModule = `{ lib, ... }: let
  toolsTag = "2.3.4.5307";
  shared = "1.0.0";
in {
  app.image = "ghcr.io/pt/app:1.2.3";
  db.values.image = {
    repository = "docker.io/bitnami/postgresql";
    tag = "17.6.0-debian-12-r5";
    pullPolicy = "IfNotPresent";
  };
  tools.values.image = { repository = "ghcr.io/pt/tools"; tag = toolsTag; };
  tools.sidecar = "ghcr.io/pt/tools:${toolsTag}";
  rc.image = "quay.io/pt/rc:3.0.0";
  lim.image = { repository = "quay.io/pt/lim"; tag = shared; };
  still.image = { repository = "quay.io/pt/still"; tag = shared; };
  strict.image = "ghcr.io/pt/strict:1.2.3";
  date.image = "ghcr.io/pt/date:2025.12.21";
  box.image = "busybox:1.37";
}
`

const policyYAML = `policies:
  - match: "ghcr.io/pt/app"
    update: patch
    min_age: 72h
  - match: "docker.io/bitnami/*"
    update: minor
    versioning: "regex:(?P<major>\\d+)\\.(?P<minor>\\d+)\\.(?P<patch>\\d+)-(?P<compat>debian-\\d+)-r(?P<build>\\d+)"
  - match: "ghcr.io/pt/tools"
    update: minor
  - match: "quay.io/pt/rc"
    update: major
    prerelease: true
  - match: "quay.io/pt/lim"
    update: major
    allow: "<2"
  - match: "ghcr.io/pt/strict"
    update: patch
    versioning: semver
  - match: "ghcr.io/pt/date"
    update: major
  - match: "**"
    update: digest
`

// hours ago, from the start of the test run.
var testStart = time.Now().UTC()

func hoursAgo(h int) time.Time { return testStart.Add(-time.Duration(h) * time.Hour) }

func TestPolicies(t *testing.T) {
	for _, reg := range []struct {
		name  string
		start func(testing.TB) string
	}{
		{"in-process", func(t testing.TB) string { h, _ := registry.StartInProcess(t); return h }},
		{"distribution", func(t testing.TB) string { h, _ := registry.StartDistribution(t); return h }},
	} {
		t.Run(reg.name, func(t *testing.T) { testPolicies(t, reg.start(t)) })
	}
}

func testPolicies(t *testing.T, host string) {
	mirrors := map[string]string{"ghcr.io": "http://" + host + "/ghcr.io", "quay.io": "http://" + host + "/quay.io", "docker.io": "http://" + host + "/hub"}
	digests := map[string]string{}
	push := func(ref string, created time.Time, labels map[string]string) {
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		target, err := oci.MirrorRef(tag, mirrors, nil)
		if err != nil {
			t.Fatal(err)
		}
		digests[ref] = registry.PushImage(t, target.Name(), registry.Image(t, created, labels))
	}
	old := hoursAgo(500)
	for repo, tags := range map[string][]string{
		"ghcr.io/pt/app":               {"latest", "1.2.3", "1.2.4", "1.3.0", "2.0.0", "1.2.4-alpine"},
		"docker.io/bitnami/postgresql": {"17.6.0-debian-12-r5", "17.6.0-debian-12-r7", "17.7.0-debian-12-r1", "17.7.0-debian-13-r1", "17.7.0", "18.0.0-debian-12-r0", "latest"},
		"ghcr.io/pt/tools":             {"2.3.4.5307", "2.3.4.5400", "2.4.0.1", "3.0.0.1", "nightly"},
		"quay.io/pt/rc":                {"3.0.0", "3.0.1", "3.1.0-rc.1", "2.9.9"},
		"quay.io/pt/lim":               {"1.0.0", "1.9.0", "2.0.0", "2.1.0"},
		"quay.io/pt/still":             {"1.0.0", "1.5.0"},
		"ghcr.io/pt/strict":            {"1.2.3", "1.2.4", "1.2.4.1", "1.2.10"},
		"ghcr.io/pt/date":              {"2025.12.21", "2025.12.28", "2026.01.04", "2026.01.04-debug"},
		"docker.io/library/busybox":    {"1.37", "1.38"},
	} {
		for _, tag := range tags {
			push(repo+":"+tag, old, nil)
		}
	}
	// The newest patch of app is an hour old: min_age holds it back, and
	// the older one is taken. Its labels link the release notes.
	push("ghcr.io/pt/app:1.2.3", old, map[string]string{"org.opencontainers.image.source": "https://github.com/pt/app",
		"org.opencontainers.image.revision": "1111111111111111111111111111111111111111"})
	push("ghcr.io/pt/app:1.2.4", hoursAgo(100), map[string]string{"org.opencontainers.image.source": "https://github.com/pt/app.git",
		"org.opencontainers.image.revision": "2222222222222222222222222222222222222222"})
	push("ghcr.io/pt/app:1.2.5", hoursAgo(1), nil)

	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "modules", "kubenix", "apps.nix"), policyModule)
	writeTestFile(t, filepath.Join(dir, "registry.yaml"), fmt.Sprintf("version: 1\nmirrors:\n  ghcr.io: %s\n  quay.io: %s\n  docker.io: %s\n%s",
		mirrors["ghcr.io"], mirrors["quay.io"], mirrors["docker.io"], policyYAML))
	t.Chdir(dir)
	t.Setenv("SOURCE_DATE_EPOCH", "1795000000")
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}

	// A dry run plans the moves with their classes and writes nothing.
	res, err := Run(context.Background(), cfg, Options{All: true, DryRun: true, Registry: quick(), PRBody: "pr.md"})
	if err != nil {
		t.Fatal(err)
	}
	var moves []string
	for _, m := range res.Moves() {
		moves = append(moves, fmt.Sprintf("%s %s → %s (%s)", m.Repository, m.From, m.To, m.Class))
	}
	want := []string{
		"docker.io/bitnami/postgresql 17.6.0-debian-12-r5 → 17.7.0-debian-12-r1 (minor)",
		"ghcr.io/pt/app 1.2.3 → 1.2.4 (patch)",
		"ghcr.io/pt/date 2025.12.21 → 2026.01.04 (major)",
		"ghcr.io/pt/strict 1.2.3 → 1.2.10 (patch)",
		"ghcr.io/pt/tools 2.3.4.5307 → 2.4.0.1 (minor)",
		"quay.io/pt/lim 1.0.0 → 1.9.0 (minor)",
		"quay.io/pt/rc 3.0.0 → 3.1.0-rc.1 (minor)",
	}
	if diff := cmp.Diff(want, moves); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile("modules/kubenix/apps.nix"); string(b) != policyModule {
		t.Error("the dry run changed the module")
	}

	res, err = Run(context.Background(), cfg, Options{All: true, Registry: quick(), PRBody: "pr.md"})
	if err != nil {
		t.Fatal(err)
	}
	d := func(ref string) string { return digests[ref] }
	wantModule := `{ lib, ... }: let
  toolsTag = "2.4.0.1@` + d("ghcr.io/pt/tools:2.4.0.1") + `";
  shared = "1.0.0";
in {
  app.image = "ghcr.io/pt/app:1.2.4@` + d("ghcr.io/pt/app:1.2.4") + `";
  db.values.image = {
    repository = "docker.io/bitnami/postgresql";
    tag = "17.7.0-debian-12-r1@` + d("docker.io/bitnami/postgresql:17.7.0-debian-12-r1") + `";
    pullPolicy = "IfNotPresent";
  };
  tools.values.image = { repository = "ghcr.io/pt/tools"; tag = toolsTag; };
  tools.sidecar = "ghcr.io/pt/tools:${toolsTag}";
  rc.image = "quay.io/pt/rc:3.1.0-rc.1@` + d("quay.io/pt/rc:3.1.0-rc.1") + `";
  lim.image = { repository = "quay.io/pt/lim"; tag = "1.9.0@` + d("quay.io/pt/lim:1.9.0") + `"; };
  still.image = { repository = "quay.io/pt/still"; tag = "1.0.0@` + d("quay.io/pt/still:1.0.0") + `"; };
  strict.image = "ghcr.io/pt/strict:1.2.10@` + d("ghcr.io/pt/strict:1.2.10") + `";
  date.image = "ghcr.io/pt/date:2026.01.04@` + d("ghcr.io/pt/date:2026.01.04") + `";
  box.image = "busybox:1.37@` + d("docker.io/library/busybox:1.37") + `";
}
`
	got, _ := os.ReadFile("modules/kubenix/apps.nix")
	if diff := cmp.Diff(wantModule, string(got)); diff != "" {
		t.Errorf("module (-want +got):\n%s", diff)
	}

	log, _ := os.ReadFile("CHANGELOG.md")
	short := func(ref string) string { return "`" + d(ref)[:len("sha256:")+12] + "`" }
	for _, want := range []string{
		"Z `ghcr.io/pt/app` tag `1.2.3` → `1.2.4`: first pin " + short("ghcr.io/pt/app:1.2.4") + " (modules/kubenix/apps.nix) — patch, " +
			"[release notes](https://github.com/pt/app/compare/1111111111111111111111111111111111111111...2222222222222222222222222222222222222222)\n",
		"Z `ghcr.io/pt/date` tag `2025.12.21` → `2026.01.04`: first pin " + short("ghcr.io/pt/date:2026.01.04") + " (modules/kubenix/apps.nix) — major\n",
		"Z `docker.io/library/busybox` tag `1.37`: first pin " + short("docker.io/library/busybox:1.37") + " (modules/kubenix/apps.nix) — digest\n",
	} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the changelog lacks\n%s\nin\n%s", want, log)
		}
	}
	body, _ := os.ReadFile("pr.md")
	var heads []string
	for l := range strings.Lines(string(body)) {
		if strings.HasPrefix(l, "### ") {
			heads = append(heads, strings.TrimSpace(l))
		}
	}
	if want := []string{"### major (1)", "### minor (4)", "### patch (2)", "### digest (2)"}; !slices.Equal(heads, want) {
		t.Errorf("PR body groups %q, want %q:\n%s", heads, want, body)
	}

	// Nothing newer within the policies: a second run writes nothing.
	res, err = Run(context.Background(), cfg, Options{All: true, Registry: quick()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) != 0 || len(res.Moves()) != 0 {
		t.Errorf("second run: outputs %d, moves %+v", len(res.Outputs), res.Moves())
	}
}
