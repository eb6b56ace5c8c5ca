package cli

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// needNix skips a test that builds through Nix when nix is not installed
// (a developer machine; CI installs nix-bin), and keeps Nix offline.
func needNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	t.Setenv("NIX_CONFIG", "substituters =")
}

// ownedFixture is a copy of the repository's registry.yaml and
// modules-fixtures (modules and the Nix files of the eleven images), with
// the third-party images served by a registry through mirrors, committed
// to a fresh git repository so that tag "{git}" expands.
type ownedFixture struct {
	*fixture
	// commit is HEAD's short commit: postgresql-vchord-bitnami's tag.
	commit string
}

// ownedRepoPrefix is the repository prefix of the fixture's owned images.
const ownedRepoPrefix = "ghcr.io/josevictorferreira/"

func newOwnedFixture(t *testing.T, host string, extraConfig string) *ownedFixture {
	t.Helper()
	needNix(t)
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	fx := &fixture{dir: t.TempDir(), host: host, mirrors: mirrorsFor(host), digests: map[string]string{}}
	if err := os.CopyFS(filepath.Join(fx.dir, "modules-fixtures"), os.DirFS(filepath.Join(testDir, "..", "..", "modules-fixtures"))); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(testDir, "..", "..", "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var mirrors strings.Builder
	mirrors.WriteString("push_to: \"\"\nmirrors:\n")
	for _, k := range []string{"docker.io", "ghcr.io", "quay.io", "registry.k8s.io"} {
		mirrors.WriteString("  " + k + ": " + fx.mirrors[k] + "\n")
	}
	text := strings.Replace(string(cfg), "push_to: \"\"\n", mirrors.String()+extraConfig, 1)
	writeFile(t, filepath.Join(fx.dir, "registry.yaml"), text)

	// Third-party images: one per tagged reference.
	sites, _, err := scan.Files(context.Background(), []string{filepath.Join(fx.dir, "modules-fixtures", "modules")}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.Form == scan.FormDerived || s.Image.Repository == "" || s.Image.Tag == "" || strings.HasPrefix(s.Image.Context(), ownedRepoPrefix) {
			continue
		}
		fx.push(t, s.Image.Context()+":"+s.Image.Tag, "1")
	}

	gitRun := func(args ...string) string {
		cmd := exec.Command(git, args...)
		cmd.Dir = fx.dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2026-11-26T00:00:00Z", "GIT_COMMITTER_DATE=2026-11-26T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q")
	gitRun("add", "-A")
	gitRun("commit", "-q", "-m", "fixture")
	return &ownedFixture{fixture: fx, commit: gitRun("rev-parse", "--short", "HEAD")}
}

// ownedSites are the editable owned sites of the fixture after a run.
func ownedSites(t *testing.T) []scan.Site {
	t.Helper()
	sites, perrs, err := scan.Files(context.Background(), []string{filepath.Join("modules-fixtures", "modules")}, 4)
	if err != nil || len(perrs) > 0 {
		t.Fatalf("re-scan: %v %v", err, perrs)
	}
	var out []scan.Site
	for _, s := range sites {
		if s.Form != scan.FormDerived && s.Editable && strings.HasPrefix(s.Image.Context(), ownedRepoPrefix) {
			out = append(out, s)
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d owned sites", len(out))
	}
	return out
}

// wantTag is the tag each owned site must carry after an update.
func (ofx *ownedFixture) wantTag(s scan.Site) string {
	repo := strings.TrimPrefix(s.Image.Context(), ownedRepoPrefix)
	switch {
	case repo == "backup-toolbox":
		return "1.0.0"
	case repo == "postgresql-vchord-bitnami" && strings.Contains(s.File, "_postgresql.nix"):
		return "54c9cd376be1eb5a2b3baf4df0f4dc86c472325c"
	case repo == "postgresql-vchord-bitnami":
		return ofx.commit
	}
	return s.Image.Tag // the fixtures' Nix tags are the ones the sites carry
}

// TestUpdateOwnedLayout: update --all builds the eleven images through Nix,
// writes them into an OCI layout, and pins every owned site to what the
// layout holds; backup-toolbox to an index of its two platforms. The second
// run writes nothing, the layout included.
func TestUpdateOwnedLayout(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartInProcess(t)
	ofx := newOwnedFixture(t, host, "")
	t.Chdir(ofx.dir)
	store := filepath.Join(t.TempDir(), "oci-store")

	code, _, stderr := run(t, "", "update", "--all", "--push-to", "oci:"+store)
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	lp, err := oci.NewLayoutPublisher(store)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := lock.Read(filepath.Join("modules-fixtures", "pinner.lock"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ownedSites(t) {
		tag := ofx.wantTag(s)
		d, ok, err := lp.Lookup(s.Image.Context(), tag)
		if err != nil || !ok {
			t.Errorf("%s: the layout has no %s:%s (%v)", s.Position(), s.Image.Context(), tag, err)
			continue
		}
		if s.Image.Tag != tag || s.Image.Digest != d.String() {
			t.Errorf("%s: %s, want tag %s digest %s", s.Position(), s.Ref, tag, d)
		}
		e := l.Images[imageref.MakeKey(s.Image.Context(), tag)]
		if e.Digest != d.String() || e.Pushed != d.String() || len(e.Outputs) == 0 {
			t.Errorf("lock entry of %s:%s: %+v", s.Image.Context(), tag, e)
		}
	}

	// backup-toolbox: an index of both platforms, tagged latest too.
	d, _, _ := lp.Lookup(ownedRepoPrefix+"backup-toolbox", "1.0.0")
	latest, _, _ := lp.Lookup(ownedRepoPrefix+"backup-toolbox", "latest")
	if latest != d {
		t.Errorf("extra tag latest names %s, tag 1.0.0 %s", latest, d)
	}
	idx, err := layout.ImageIndexFromPath(store)
	if err != nil {
		t.Fatal(err)
	}
	child, err := idx.ImageIndex(d)
	if err != nil {
		t.Fatalf("backup-toolbox is not an index: %v", err)
	}
	im, err := child.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
	}
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("backup-toolbox index platforms: %v", platforms)
	}
	if e := l.Images[ownedRepoPrefix+"backup-toolbox:1.0.0"]; len(e.Outputs) != 2 {
		t.Errorf("backup-toolbox outputs in the lock: %v", e.Outputs)
	}

	changelog, _ := os.ReadFile(filepath.Join("modules-fixtures", "CHANGELOG.md"))
	if !strings.Contains(string(changelog), "`"+ownedRepoPrefix+"backup-toolbox` tag none → `1.0.0`: `sha256:08bda3ee3383` → `"+d.String()[:19]+"`") {
		t.Errorf("changelog lacks the backup-toolbox entry:\n%s", changelog)
	}

	// Incremental: nothing is rewritten, in the tree or in the layout.
	before := snapshot(t, ofx.dir)
	layoutBefore := snapshot(t, store)
	code, out, stderr := run(t, "", "update", "--all", "--push-to", "oci:"+store, "--exit-code")
	if code != 0 {
		t.Fatalf("second update: exit %d; stdout %q stderr:\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "pushed 0, 12 unchanged") {
		t.Errorf("second run summary:\n%s", stderr)
	}
	sameFiles(t, before, snapshot(t, ofx.dir))
	sameFiles(t, layoutBefore, snapshot(t, store))
}

// TestUpdateGitTagSettles: an image tagged "{git}" keeps its tag while
// its Nix outputs are the ones pinner.lock records. The tag was HEAD's
// short commit, so committing the pin moved HEAD and every later run
// re-tagged, re-pushed and rewrote the same image: a weekly job opened a
// pull request every week. Update, commit, update --exit-code: exit 0 and
// nothing written.
func TestUpdateGitTagSettles(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartInProcess(t)
	ofx := newOwnedFixture(t, host, "")
	t.Chdir(ofx.dir)
	store := filepath.Join(t.TempDir(), "oci-store")
	if code, _, stderr := run(t, "", "update", "--all", "--push-to", "oci:"+store); code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	gitCommit(t, ofx.dir, "pin images")
	before := snapshot(t, ofx.dir)
	code, out, stderr := run(t, "", "update", "--all", "--push-to", "oci:"+store, "--exit-code")
	if code != 0 {
		t.Fatalf("update after the commit: exit %d, want 0; stdout %q stderr:\n%s", code, out, stderr)
	}
	sameFiles(t, before, snapshot(t, ofx.dir))
	l, _, err := lock.Read(filepath.Join("modules-fixtures", "pinner.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Images[imageref.Key(ownedRepoPrefix+"postgresql-vchord-bitnami:"+ofx.commit)]; !ok {
		t.Errorf("the lock does not keep the tag of the first commit, %s", ofx.commit)
	}
}

// gitCommit commits everything in dir.
func gitCommit(t *testing.T, dir, msg string) {
	t.Helper()
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", msg}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// uploadCounter counts blob uploads started (POST .../blobs/uploads/).
type uploadCounter struct{ n atomic.Int64 }

func (u *uploadCounter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			u.n.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

// TestUpdateOwnedRegistry pushes through mirrors to the in-process
// registry: sites are pinned to what the registry serves; a second run
// uploads no blob and rewrites nothing; --no-push (on an identical copy)
// pins the same digests without uploading.
func TestUpdateOwnedRegistry(t *testing.T) {
	quickRetries(t)
	uploads := &uploadCounter{}
	host, _ := registry.StartInProcess(t, uploads.Wrap)
	ofx := newOwnedFixture(t, host, "")
	twin := t.TempDir()
	if err := os.CopyFS(twin, os.DirFS(ofx.dir)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(ofx.dir)
	seeded := uploads.n.Load()

	code, _, stderr := run(t, "", "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	if uploads.n.Load() == seeded {
		t.Fatal("nothing was uploaded")
	}
	for _, s := range ownedSites(t) {
		ref, err := name.ParseReference(s.Image.Context() + ":" + ofx.wantTag(s))
		if err != nil {
			t.Fatal(err)
		}
		target, err := oci.MirrorRef(ref, ofx.mirrors, nil)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(target)
		if err != nil {
			t.Errorf("%s: the registry does not serve %s: %v", s.Position(), target, err)
			continue
		}
		if s.Image.Digest != desc.Digest.String() || s.Image.Tag != ofx.wantTag(s) {
			t.Errorf("%s: %s, registry has %s", s.Position(), s.Ref, desc.Digest)
		}
	}

	before := snapshot(t, ofx.dir)
	seeded = uploads.n.Load()
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("second update: exit %d; stderr:\n%s", code, stderr)
	}
	if n := uploads.n.Load() - seeded; n != 0 {
		t.Errorf("second run uploaded %d blobs", n)
	}
	sameFiles(t, before, snapshot(t, ofx.dir))

	// --no-push on the twin: the same bytes in every module, no upload.
	t.Chdir(twin)
	if code, _, stderr := run(t, "", "update", "--all", "--no-push"); code != 0 {
		t.Fatalf("--no-push: exit %d; stderr:\n%s", code, stderr)
	}
	if n := uploads.n.Load() - seeded; n != 0 {
		t.Errorf("--no-push uploaded %d blobs", n)
	}
	twinSnap := snapshot(t, twin)
	for name, st := range before {
		if strings.HasSuffix(name, ".nix") && twinSnap[name].data != st.data {
			t.Errorf("%s: --no-push wrote other bytes than the push", name)
		}
	}
}

// TestUpdateOwnedDistribution pushes the built images to the CNCF
// distribution registry.
func TestUpdateOwnedDistribution(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartDistribution(t)
	ofx := newOwnedFixture(t, host, "")
	t.Chdir(ofx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	for _, s := range ownedSites(t) {
		target, err := oci.MirrorRef(must(name.ParseReference(s.Image.Context()+":"+ofx.wantTag(s))), ofx.mirrors, nil)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(target)
		if err != nil || s.Image.Digest != desc.Digest.String() {
			t.Errorf("%s: %s; registry: %v %v", s.Position(), s.Ref, desc, err)
		}
		if strings.HasSuffix(s.Image.Context(), "/backup-toolbox") && desc != nil && desc.MediaType != "application/vnd.oci.image.index.v1+json" {
			t.Errorf("backup-toolbox is %s, want an index", desc.MediaType)
		}
	}
	snap := snapshot(t, ofx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("second update: exit %d; stderr:\n%s", code, stderr)
	}
	sameFiles(t, snap, snapshot(t, ofx.dir))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestUpdateOwnedFailures: a failing builder is exit 3 with the log's
// tail, a missing attribute exit 2, an output that is no image exit 3
// naming it; no file changes in any case.
func TestUpdateOwnedFailures(t *testing.T) {
	const failing = `{ system ? "x86_64-linux" }:
derivation {
  name = "failing-image";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo compiling the toolbox >&2; echo pinner-fixture-build-broke >&2; exit 1" ];
  imageName = "backup-toolbox";
  imageTag = "1.0.0";
}
`
	const notImage = `{ system ? "x86_64-linux" }:
derivation {
  name = "not-an-image";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo hello > $out" ];
  PATH = "/usr/bin:/bin";
  imageTag = "1.0.0";
}
`
	tests := []struct {
		name  string
		build string // the backup-toolbox image's build: section
		want  int
		msgs  []string
	}{
		{"build fails", "file: modules-fixtures/oci-images/failing.nix", ExitOutside, []string{"pinner-fixture-build-broke", "nix build failed", "\nnothing was written; to pin only the third-party images meanwhile, run the update again with --no-build"}},
		{"missing attribute", "file: modules-fixtures/oci-images/backup-toolbox.nix\n      attr: noSuchImage", ExitBadInput, []string{"noSuchImage", "again with --no-build"}},
		{"not an image", "file: modules-fixtures/oci-images/not-image.nix", ExitOutside, []string{"-not-an-image is not a container image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quickRetries(t)
			host, _ := registry.StartInProcess(t)
			ofx := newOwnedFixture(t, host, "")
			t.Chdir(ofx.dir)
			writeFile(t, filepath.Join("modules-fixtures", "oci-images", "failing.nix"), failing)
			writeFile(t, filepath.Join("modules-fixtures", "oci-images", "not-image.nix"), notImage)
			cfg, _ := os.ReadFile("registry.yaml")
			text := strings.Replace(string(cfg), "file: modules-fixtures/oci-images/backup-toolbox.nix", tt.build, 1)
			writeFile(t, "registry.yaml", text)
			store := filepath.Join(t.TempDir(), "store")
			before := snapshot(t, ofx.dir)
			code, out, stderr := run(t, "", "update", "--all", "--push-to", "oci:"+store)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stdout %q stderr:\n%s", code, tt.want, out, stderr)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			sameFiles(t, before, snapshot(t, ofx.dir))
			if _, err := os.Stat(store); err == nil {
				t.Errorf("the layout was created although the build failed")
			}
		})
	}
}

// TestBuildGolden: pinner build prints the deterministic digests of the
// fixture images, per platform and for the index.
func TestBuildGolden(t *testing.T) {
	needNix(t)
	root := filepath.Join(testDir, "..", "..")
	code, out, stderr := run(t, root, "build", "backup-toolbox", "valoris-frontend", "openclaw-nix", "mcpo")
	if code != 0 {
		t.Fatalf("build: exit %d; stderr:\n%s", code, stderr)
	}
	checkGolden(t, "build.txt", out)

	code, out, stderr = run(t, root, "build", "--platform", "linux/arm64", "backup-toolbox")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "linux/arm64") || strings.Contains(out, "index") {
		t.Errorf("--platform: exit %d, output:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, args := range [][]string{{"build", "no-such-image"}, {"build", "--platform", "linux/arm64", "mcpo"}} {
		if code, _, stderr := run(t, root, args...); code != ExitBadInput {
			t.Errorf("%v: exit %d, want 2; stderr:\n%s", args, code, stderr)
		}
	}
}

// TestBuildWithoutNix: no nix binary is a clear error, exit 3.
func TestBuildWithoutNix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	root := filepath.Join(testDir, "..", "..")
	code, _, stderr := run(t, root, "build", "mcpo")
	if code != ExitOutside || !strings.Contains(stderr, "nix not found") {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	code, _, stderr = run(t, root, "update", "mcpo", "--dry-run")
	if code != ExitOutside || !strings.Contains(stderr, "--no-build") {
		t.Errorf("update: exit %d, want 3; stderr:\n%s", code, stderr)
	}
}
