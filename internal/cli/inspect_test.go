package cli

import (
	"github.com/pinner-dev/pinner/internal/progress"

	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// labelledImage is a random image with the given platform, created time
// and labels in its config.
func labelledImage(t *testing.T, platform v1.Platform, created time.Time, labels map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = platform.OS, platform.Architecture, platform.Variant
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.CreatedAt(img, v1.Time{Time: created}); err != nil {
		t.Fatal(err)
	}
	return img
}

// wantImage is what inspect must report of img.
func wantImage(t *testing.T, platform string, img v1.Image, created string, labels map[string]string) inspectedImage {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	if labels == nil {
		labels = map[string]string{}
	}
	return inspectedImage{Platform: platform, Digest: d.String(), Size: size, Layers: len(m.Layers), Created: created, Labels: labels}
}

// TestInspect pushes a labelled image and a two-platform index (with an
// attestation manifest, which is left out) to an in-process registry that
// demands a bearer token, reached through a mirror, with credentials from
// a Docker config, and inspects them as a user would.
func TestInspect(t *testing.T) {
	quickRetries(t)
	const user, password, token = "robot", "pw-inspect", "tok-inspect"
	auth := &registry.BearerAuth{User: user, Password: password, Token: token}
	host, _ := registry.StartInProcess(t, auth.Wrap)
	mirrors := mirrorsFor(host)
	push := func(ref string) name.Reference {
		t.Helper()
		parsed, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		r, err := oci.MirrorRef(parsed, mirrors, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	created := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	app := labelledImage(t, v1.Platform{OS: "linux", Architecture: "amd64"}, created,
		map[string]string{"org.opencontainers.image.source": "https://github.com/x/app", "org.opencontainers.image.version": "1.0.0"})
	if err := remote.Write(push("ghcr.io/x/app:1.0.0"), app); err != nil {
		t.Fatal(err)
	}

	amd := labelledImage(t, v1.Platform{OS: "linux", Architecture: "amd64"}, created, map[string]string{"arch": "amd64"})
	arm := labelledImage(t, v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, created.Add(time.Hour), nil)
	att, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"},
		}},
	)
	if err := remote.WriteIndex(push("ghcr.io/x/multi:2"), idx); err != nil {
		t.Fatal(err)
	}
	idxDigest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	appDigest, _ := app.Digest()
	auth.Require(true)

	dockerConfig := t.TempDir()
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	writeFile(t, filepath.Join(dockerConfig, "config.json"), `{"auths":{"`+host+`":{"auth":"`+basic+`"}}}`)
	t.Setenv("DOCKER_CONFIG", dockerConfig)
	dir := writeFiles(t, map[string]string{
		"registry.yaml": "version: 1\nmirrors:\n  ghcr.io: " + mirrors["ghcr.io"] + "\n",
	})

	code, out, stderr := run(t, dir, "inspect", "--json", "ghcr.io/x/app:1.0.0", "ghcr.io/x/multi:2", "ghcr.io/x/app@"+appDigest.String())
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var got []inspected
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	appWant := wantImage(t, "linux/amd64", app, "2026-11-26T12:30:00Z", map[string]string{"org.opencontainers.image.source": "https://github.com/x/app", "org.opencontainers.image.version": "1.0.0"})
	want := []inspected{
		{Ref: "ghcr.io/x/app:1.0.0", Digest: appDigest.String(), MediaType: "application/vnd.docker.distribution.manifest.v2+json",
			Platforms: []inspectedImage{appWant}},
		{Ref: "ghcr.io/x/multi:2", Digest: idxDigest.String(), MediaType: "application/vnd.oci.image.index.v1+json", Index: true,
			Platforms: []inspectedImage{
				wantImage(t, "linux/amd64", amd, "2026-11-26T12:30:00Z", map[string]string{"arch": "amd64"}),
				wantImage(t, "linux/arm64/v8", arm, "2026-11-26T13:30:00Z", nil),
			}},
		{Ref: "ghcr.io/x/app@" + appDigest.String(), Digest: appDigest.String(), MediaType: "application/vnd.docker.distribution.manifest.v2+json",
			Platforms: []inspectedImage{appWant}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inspect --json (-want +got):\n%s", diff)
	}
	if auth.TokenRequests() == 0 {
		t.Error("the registry handed out no token: credentials were not used")
	}

	// The table: the index row, then one row per platform.
	code, out, stderr = run(t, dir, "inspect", "ghcr.io/x/multi:2", "ghcr.io/x/app:1.0.0")
	if code != 0 {
		t.Fatalf("table: exit %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("table has %d lines, want 5:\n%s", len(lines), out)
	}
	for i, want := range [][]string{
		{"REFERENCE", "PLATFORM", "DIGEST", "SIZE", "LAYERS", "CREATED", "LABELS"},
		{"ghcr.io/x/multi:2", "index of 2", progress.Abbrev(idxDigest.String())},
		{"linux/amd64", "2026-11-26T12:30:00Z", "arch=amd64", "KiB"},
		{"linux/arm64/v8", "2026-11-26T13:30:00Z"},
		{"ghcr.io/x/app:1.0.0", "linux/amd64", "org.opencontainers.image.source=https://github.com/x/app, org.opencontainers.image.version=1.0.0"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("table line %d lacks %q:\n%s", i+1, w, out)
			}
		}
	}
	if strings.HasPrefix(lines[2], "ghcr.io") || strings.HasPrefix(lines[3], "ghcr.io") {
		t.Errorf("platform rows repeat the reference:\n%s", out)
	}
	for i, l := range lines {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("table line %d ends in spaces: %q", i+1, l)
		}
	}
}

func TestInspectFailures(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartInProcess(t)
	registry.PushRandom(t, host+"/x/app:1", false)
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", t.TempDir())

	code, _, stderr := run(t, dir, "inspect", "Not A Ref")
	if code != ExitBadInput || !strings.Contains(stderr, "Not A Ref") {
		t.Errorf("invalid reference: exit %d, stderr %q; want 2 naming it", code, stderr)
	}

	code, out, stderr := run(t, dir, "inspect", "--json", host+"/x/app:1", host+"/x/app:missing")
	if code != ExitOutside {
		t.Fatalf("missing tag: exit %d, want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `inspecting "`+host+`/x/app:missing"`) || !strings.Contains(stderr, "manifest unknown") {
		t.Errorf("stderr does not say which reference failed and why:\n%s", stderr)
	}
	var got []inspected
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].Ref != host+"/x/app:1" {
		t.Errorf("the reference that could be inspected must be printed: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "pinner.lock")); err == nil {
		t.Error("inspect wrote a lock file")
	}
}
