package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
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

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testDir is the package directory: tests change the working directory.
var testDir, _ = os.Getwd()

// epoch is the changelog date of the tests: 2026-11-26.
const epoch = "1795651200"

// fixture is a copy of modules-fixtures whose registry.yaml points every
// registry the fixtures use at one test registry, which holds an image for
// every tagged reference.
type fixture struct {
	dir     string
	host    string
	faults  *registry.Faults
	mirrors map[string]string
	// digests are what each normalised reference names in the registry.
	digests map[string]string
}

func mirrorsFor(host string) map[string]string {
	return map[string]string{
		"ghcr.io":         "http://" + host + "/ghcr.io",
		"docker.io":       "http://" + host + "/hub",
		"quay.io":         "http://" + host + "/quay.io",
		"registry.k8s.io": "http://" + host + "/k8s",
	}
}

// newFixture starts an in-process registry behind Faults and seeds it.
func newFixture(t *testing.T, extraConfig string) *fixture {
	t.Helper()
	f := registry.NewFaults()
	host, _ := registry.StartInProcess(t, f.Wrap)
	t.Cleanup(f.Release)
	fx := seedFixture(t, host, extraConfig)
	fx.faults = f
	f.Reset()
	return fx
}

func seedFixture(t *testing.T, host, extraConfig string) *fixture {
	t.Helper()
	fx := &fixture{dir: t.TempDir(), host: host, mirrors: mirrorsFor(host), digests: map[string]string{}}
	if err := os.CopyFS(filepath.Join(fx.dir, "modules"), os.DirFS(filepath.Join(testDir, "..", "..", "modules-fixtures", "modules"))); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString("version: 1\nmirrors:\n")
	for _, k := range []string{"docker.io", "ghcr.io", "quay.io", "registry.k8s.io"} {
		fmt.Fprintf(&cfg, "  %s: %s\n", k, fx.mirrors[k])
	}
	cfg.WriteString(extraConfig)
	writeFile(t, filepath.Join(fx.dir, "registry.yaml"), cfg.String())

	sites, _, err := scan.Files(context.Background(), []string{filepath.Join(fx.dir, "modules")}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.Form == scan.FormDerived || s.Image.Repository == "" || s.Image.Tag == "" {
			continue
		}
		fx.push(t, s.Image.Context()+":"+s.Image.Tag, "1")
	}
	return fx
}

// push puts a deterministic image for ref (normalised) into the registry
// under its mirror path; a different generation gives a different digest.
func (fx *fixture) push(t *testing.T, ref, generation string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	target, err := oci.MirrorRef(r, fx.mirrors, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		Architecture: "amd64", OS: "linux",
		Config: v1.Config{Labels: map[string]string{"ref": ref, "generation": generation}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := registry.PushImage(t, target.Name(), img)
	fx.digests[ref] = d
	return d
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot is every file below dir with its content and modification time.
type fileState struct {
	data  string
	mtime time.Time
	mode  fs.FileMode
}

func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fileState{data: string(b), mtime: fi.ModTime(), mode: fi.Mode()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, before, after map[string]fileState) {
	t.Helper()
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s was removed", name)
		case a.data != b.data:
			t.Errorf("%s changed", name)
		case !a.mtime.Equal(b.mtime):
			t.Errorf("%s was rewritten (mtime %v, was %v)", name, a.mtime, b.mtime)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was created", name)
		}
	}
}

// quickRetries keeps failing registries from slowing the tests down.
func quickRetries(t *testing.T) {
	t.Setenv("PINNER_RETRY_BACKOFF", "1ms")
	t.Setenv("PINNER_REQUEST_TIMEOUT", "5s")
	t.Setenv("SOURCE_DATE_EPOCH", epoch)
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testDir, "testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestUpdateFixtures is the end-to-end run over modules-fixtures: the dry
// run's diff against the golden file (every rewrite form the fixtures
// use), then the real run, a re-scan, an idempotent second run and check.
func TestUpdateFixtures(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	// The golden diff must not depend on the test's directory.
	before := snapshot(t, fx.dir)

	code, diffOut, stderr := run(t, "", "update", "--all", "--dry-run", "--exit-code")
	if code != ExitFindings {
		t.Fatalf("dry run: exit %d, want 1; stderr:\n%s", code, stderr)
	}
	sameFiles(t, before, snapshot(t, fx.dir))
	checkGolden(t, "update.diff", diffOut)
	// The non-editable site is reported, not guessed.
	if !strings.Contains(stderr, "shared-subfolders-restore-drill.nix:34:21") || !strings.Contains(stderr, "function argument") {
		t.Errorf("the non-editable site is not reported:\n%s", stderr)
	}

	prBody := filepath.Join(t.TempDir(), "pr.md")
	code, _, stderr = run(t, "", "update", "--all", "--pr-body", prBody)
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	body, err := os.ReadFile(prBody)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "pr-body.md", string(body))
	after := snapshot(t, fx.dir)
	sites, perrs, err := scan.Files(context.Background(), []string{"modules"}, 4)
	if err != nil || len(perrs) > 0 {
		t.Fatalf("re-scan: %v %v", err, perrs)
	}
	pinned := 0
	for _, s := range sites {
		if s.Form == scan.FormDerived || !s.Editable || s.Image.Tag == "" {
			continue
		}
		want := fx.digests[s.Image.Context()+":"+s.Image.Tag]
		if !s.Pinned || s.Image.Digest != want {
			t.Errorf("%s: %s is not pinned to %s", s.Position(), s.Ref, want)
		}
		pinned++
	}
	if pinned < 30 {
		t.Errorf("only %d tagged editable sites found", pinned)
	}

	// The lock records every reference.
	l, found, err := lock.Read("pinner.lock")
	if err != nil || !found {
		t.Fatalf("lock: %v (found %v)", err, found)
	}
	for ref, d := range fx.digests {
		if l.Images[imageref.Key(ref)].Digest != d {
			t.Errorf("lock has %q for %s, want %s", l.Images[imageref.Key(ref)].Digest, ref, d)
		}
	}
	checkGolden(t, "CHANGELOG.md", after["CHANGELOG.md"].data)

	// A second run changes nothing, not even a modification time.
	code, out, stderr := run(t, "", "update", "--all", "--exit-code")
	if code != 0 {
		t.Fatalf("second update: exit %d; stdout %q stderr:\n%s", code, out, stderr)
	}
	sameFiles(t, after, snapshot(t, fx.dir))
	code, out, _ = run(t, "", "update", "--all", "--dry-run")
	if code != 0 || out != "" {
		t.Errorf("second dry run: exit %d, diff:\n%s", code, out)
	}

	// check: the only finding is the site pinner cannot edit.
	code, out, stderr = run(t, "", "check", "--json")
	if code != ExitFindings {
		t.Fatalf("check: exit %d; stderr %s", code, stderr)
	}
	var co checkOutput
	if err := json.Unmarshal([]byte(out), &co); err != nil {
		t.Fatal(err)
	}
	if len(co.Findings) != 1 || co.Findings[0].File != filepath.Join("modules", "kubenix", "backup", "shared-subfolders-restore-drill.nix") || co.Findings[0].Line != 34 {
		t.Errorf("check findings: %+v", co.Findings)
	}
}

// TestUpdateRegistryChange: a tag that moves is re-pinned, old digest
// replaced, and the changelog gets one new entry; check then catches a file
// that disagrees with the lock.
func TestUpdateRegistryChange(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; %s", code, stderr)
	}
	old := fx.digests["ghcr.io/qdm12/gluetun:v3.40.0"]
	moved := fx.push(t, "ghcr.io/qdm12/gluetun:v3.40.0", "2")
	code, diffOut, stderr := run(t, "", "update", "ghcr.io/qdm12/gluetun", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d; %s", code, stderr)
	}
	for _, want := range []string{
		"-  gluetunVersion = \"v3.40.0@" + old + "\";",
		"+  gluetunVersion = \"v3.40.0@" + moved + "\";",
		"`ghcr.io/qdm12/gluetun` tag `v3.40.0`: `" + old[:19] + "` → `" + moved[:19] + "` (modules/kubenix/apps/qbittorrent.nix)",
	} {
		if !strings.Contains(diffOut, want) {
			t.Errorf("diff lacks %q:\n%s", want, diffOut)
		}
	}
	if strings.Count(diffOut, "+++ ") != 3 {
		t.Errorf("want the module, the changelog and the lock in the diff:\n%s", diffOut)
	}

	// Undo by hand: the lock now disagrees with the file.
	if code, _, stderr := run(t, "", "update", "ghcr.io/qdm12/gluetun"); code != 0 {
		t.Fatalf("update: exit %d; %s", code, stderr)
	}
	p := filepath.Join("modules", "kubenix", "apps", "qbittorrent.nix")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.ReplaceAll(string(b), moved, old)), 0o644)
	code, out, _ := run(t, "", "check")
	want := fmt.Sprintf("%s:37:24: image %q is pinned to %s… but pinner.lock has %s…\n", p, "ghcr.io/qdm12/gluetun:v3.40.0@"+old, old[:19], moved[:19])
	if code != ExitFindings || !strings.Contains(out, want) {
		t.Errorf("check: exit %d, output:\n%s\nwant line:\n%s", code, out, want)
	}
}

func TestUpdateFaults(t *testing.T) {
	tests := []struct {
		name    string
		inject  func(*registry.Faults)
		env     map[string]string
		want    int
		message string
	}{
		{name: "500s then success", inject: func(f *registry.Faults) { f.FailN(500, 4) }, want: 0},
		{name: "429 with Retry-After", inject: func(f *registry.Faults) { f.RateLimit(2, "1") }, want: 0},
		{
			name:   "registry never answers",
			inject: func(f *registry.Faults) { f.Hang() },
			env:    map[string]string{"PINNER_REQUEST_TIMEOUT": "100ms", "PINNER_RETRY_ATTEMPTS": "2"},
			want:   ExitOutside, message: "no response within 100ms (2 attempts in a row failed; pinner stopped asking this host)",
		},
		{
			name:   "wrong Docker-Content-Digest",
			inject: func(f *registry.Faults) { f.DropHeadDigest().WrongDigest() },
			want:   ExitOutside, message: "but claims sha256:000000000000",
		},
		{
			name:   "not found",
			inject: func(f *registry.Faults) { f.FailN(404, 1000) },
			want:   ExitOutside, message: "resolving",
		},
		{
			// A captive portal or a web UI at the mirror URL: its page
			// was once pinned as every image's manifest.
			name:   "mirror answers with a web page",
			inject: func(f *registry.Faults) { f.ServeBody("text/html", "<html><body>Log in</body></html>") },
			want:   ExitOutside, message: "not an image manifest: the registry answered with a body of type text/html",
		},
		{
			name:   "mirror answers with JSON that is no manifest",
			inject: func(f *registry.Faults) { f.ServeBody("application/json", `{"status":"ok"}`) },
			want:   ExitOutside, message: "not an image manifest",
		},
		{
			// HEAD's digest is a header; the registry does not have it.
			name:   "HEAD names a digest the registry does not have",
			inject: func(f *registry.Faults) { f.HeadDigest("sha256:" + strings.Repeat("e", 64)) },
			want:   ExitOutside, message: "digest not confirmed: registry ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quickRetries(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fx := newFixture(t, "")
			t.Chdir(fx.dir)
			before := snapshot(t, fx.dir)
			tt.inject(fx.faults)
			start := time.Now()
			code, out, stderr := run(t, "", "update", "--all")
			if el := time.Since(start); el > 20*time.Second {
				t.Errorf("took %v", el)
			}
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stdout %q\nstderr:\n%s", code, tt.want, out, stderr)
			}
			if tt.want == 0 {
				// The faults were met and retried past.
				if n := fx.faults.Total(); n <= len(fx.digests) {
					t.Errorf("registry saw %d manifest reads for %d references: no retry happened", n, len(fx.digests))
				}
				if after := snapshot(t, fx.dir); after["pinner.lock"].data == "" {
					t.Errorf("the run did not write the lock file")
				}
			}
			if tt.want != 0 {
				if !strings.Contains(stderr, tt.message) {
					t.Errorf("stderr lacks %q:\n%s", tt.message, stderr)
				}
				sameFiles(t, before, snapshot(t, fx.dir))
			}
		})
	}
}

// TestUpdateTimeout: --timeout bounds the whole run: a registry that
// never answers (each attempt allowed 5 s, 5 attempts) ends the run at the
// deadline with exit 3, saying so, and nothing written.
func TestUpdateTimeout(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	before := snapshot(t, fx.dir)
	fx.faults.Hang()
	start := time.Now()
	code, _, stderr := run(t, "", "update", "--all", "--timeout", "300ms")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v with --timeout 300ms", el)
	}
	if code != ExitOutside || !strings.Contains(stderr, "pinner: the update did not finish within 300ms (--timeout); nothing was written: ") {
		t.Fatalf("exit %d, want 3 naming the timeout; stderr:\n%s", code, stderr)
	}
	sameFiles(t, before, snapshot(t, fx.dir))
	if code, _, stderr := run(t, "", "update", "--all", "--timeout", "-1s"); code != ExitBadInput {
		t.Errorf("--timeout -1s: exit %d, want 2; %s", code, stderr)
	}
}

// TestUpdateGivesUpOnStalledRegistry: with every reference behind one
// stalled mirror host, the host is given up on after as many timed-out
// attempts in a row as one request may make: its 32 references cost a
// handful of requests, not 32 × 5, and one error.
func TestUpdateGivesUpOnStalledRegistry(t *testing.T) {
	quickRetries(t)
	t.Setenv("PINNER_REQUEST_TIMEOUT", "100ms")
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	fx.faults.Hang()
	code, _, stderr := run(t, "", "update", "--all", "--jobs", "4")
	if code != ExitOutside || strings.Count(stderr, "pinner stopped asking this host") != 1 || !strings.Contains(stderr, "registry host "+fx.host) {
		t.Fatalf("exit %d, want 3 and the host reported once; stderr:\n%s", code, stderr)
	}
	if n := fx.faults.Total(); n > 5+4 {
		t.Errorf("%d manifest requests to a stalled host, want at most 9 (5 in a row, 4 in flight)", n)
	}
}

// TestUpdateRecordsWhatChanged: the changelog lists, per file, the digest
// it really had. A run stopped after replacing one module (the modules are
// replaced first) left busybox-jobs.nix at D1 and postgres-backup.nix at
// D0, the lock at D0; the tag then moved to D2. The next run records the
// unrecorded D0 → D1 of busybox-jobs.nix, then D1 → D2 there and D0 → D2
// in postgres-backup.nix; no entry gives postgres-backup.nix a D1 it
// never had.
func TestUpdateRecordsWhatChanged(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; %s", code, stderr)
	}
	const ref = "docker.io/library/busybox:1.37"
	d0 := fx.digests[ref]
	d1 := fx.push(t, ref, "2")
	jobs := filepath.Join("modules", "kubenix", "apps", "busybox-jobs.nix")
	b, err := os.ReadFile(jobs)
	if err != nil || !strings.Contains(string(b), d0) {
		t.Fatalf("%s does not hold %s: %v", jobs, d0, err)
	}
	writeFile(t, jobs, strings.ReplaceAll(string(b), d0, d1))
	d2 := fx.push(t, ref, "3")
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; %s", code, stderr)
	}
	log, _ := os.ReadFile("CHANGELOG.md")
	short := func(d string) string { return "`" + d[:len("sha256:")+12] + "`" }
	entry := " `docker.io/library/busybox` tag `1.37`: "
	for _, want := range []string{
		entry + short(d0) + " → " + short(d1) + " (modules/kubenix/apps/busybox-jobs.nix) — digest\n",
		entry + short(d1) + " → " + short(d2) + " (modules/kubenix/apps/busybox-jobs.nix) — digest\n",
		entry + short(d0) + " → " + short(d2) + " (modules/kubenix/backup/postgres-backup.nix) — digest\n",
	} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the changelog lacks\n%s\n%s", want, log)
		}
	}
	if strings.Contains(string(log), "postgres-backup.nix, modules") || strings.Count(string(log), "→ "+short(d1)) != 1 {
		t.Errorf("an entry gives a file a digest it never had:\n%s", log)
	}
	if l, _, _ := lock.Read("pinner.lock"); l.Images[ref].Digest != d2 {
		t.Errorf("the lock has %s, want %s", l.Images[ref].Digest, d2)
	}
}

// TestUpdateConfirmsChangedOnly: a digest that changes is confirmed with
// one more request (a GET by digest) before it is written; a run that
// changes nothing stays at one HEAD per reference.
func TestUpdateConfirmsChangedOnly(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; %s", code, stderr)
	}
	refs := len(fx.digests)
	if h, g := fx.faults.Count("HEAD"), fx.faults.Count("GET"); h != refs || g != refs {
		t.Errorf("first run: %d HEAD and %d GET for %d references pinned anew, want %d of each", h, g, refs, refs)
	}
	fx.faults.Reset()
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("second update: exit %d; %s", code, stderr)
	}
	if h, g := fx.faults.Count("HEAD"), fx.faults.Count("GET"); h != refs || g != 0 {
		t.Errorf("unchanged run: %d HEAD and %d GET for %d references, want %d and 0", h, g, refs, refs)
	}
	fx.push(t, "ghcr.io/qdm12/gluetun:v3.40.0", "2")
	fx.faults.Reset()
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("third update: exit %d; %s", code, stderr)
	}
	if h, g := fx.faults.Count("HEAD"), fx.faults.Count("GET"); h != refs || g != 1 {
		t.Errorf("one tag moved: %d HEAD and %d GET for %d references, want %d and 1", h, g, refs, refs)
	}
}

// TestUpdateForms pins one small module with every rewrite form, in both
// styles, and checks the exact text.
func TestUpdateForms(t *testing.T) {
	const module = `{ lib, registry, ... }:
let
  shared = "1.0";   # used by two repositories: each site gets its own literal
  own = "2.0";      # used by one repository only: edited here
  inner = "3.0";
  ptag = "9.0";     # also a label: the site gets its own literal
  t.tag = "8.0";
in {
  a.image = "ghcr.io/x/a:4.0";
  b.image = "ghcr.io/x/b:5.0@sha256:` + "0000000000000000000000000000000000000000000000000000000000000000" + `";
  c = { repository = "ghcr.io/x/c"; tag = shared; };
  d = { repository = "ghcr.io/x/d"; tag = shared; };
  e = { repository = "ghcr.io/x/e"; tag = own; };
  f = { repository = "ghcr.io/x/e"; tag = own; };
  g = {
    registry = "ghcr.io";
    repository = "x/g";
    tag = "6.0";
    pullPolicy = "IfNotPresent";
  };
  h = { repository = "ghcr.io/x/h"; tag = "7.0"; digest = "sha256:` + "0000000000000000000000000000000000000000000000000000000000000000" + `"; };
  i.image = "ghcr.io/x/i:${inner}";
  j.image = "ghcr.io/x/j:${shared}";
  k.image = "ghcr.io/x/k@sha256:` + "0000000000000000000000000000000000000000000000000000000000000000" + `";
  l.image = "${registry}/x/l:1";
  m.image = "busybox:1.37"; # pinner:ignore
  n.image = "nginx:1.27";
  o.image = ''ghcr.io/x/o:${shared}'';
  p = { repository = "ghcr.io/x/p"; tag = ptag; };
  labels.version = ptag;
  q = { repository = "ghcr.io/x/q"; inherit (t) tag; };
}
`
	for _, style := range []string{"auto", "digest-key"} {
		t.Run(style, func(t *testing.T) {
			quickRetries(t)
			f := registry.NewFaults()
			host, _ := registry.StartInProcess(t, f.Wrap)
			fx := &fixture{dir: t.TempDir(), host: host, mirrors: mirrorsFor(host), digests: map[string]string{}}
			writeFile(t, filepath.Join(fx.dir, "modules", "kubenix", "m.nix"), module)
			cfg := "version: 1\nstyle: " + style + "\nignore: [nginx]\nchangelog: \"\"\nmirrors:\n  ghcr.io: " + fx.mirrors["ghcr.io"] + "\n"
			writeFile(t, filepath.Join(fx.dir, "registry.yaml"), cfg)
			for _, r := range []string{"a:4.0", "b:5.0", "c:1.0", "d:1.0", "e:2.0", "g:6.0", "h:7.0", "i:3.0", "j:1.0", "o:1.0", "p:9.0", "q:8.0"} {
				fx.push(t, "ghcr.io/x/"+r, "1")
			}
			t.Chdir(fx.dir)
			code, out, stderr := run(t, "", "update", "--all", "--dry-run")
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			checkGolden(t, "forms-"+style+".diff", out)
			if !strings.Contains(stderr, `"${registry}/x/l:1"`) {
				t.Errorf("the site depending on a function argument is not reported:\n%s", stderr)
			}
			if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			snap := snapshot(t, fx.dir)
			if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
				t.Fatalf("second run: exit %d; stderr:\n%s", code, stderr)
			}
			sameFiles(t, snap, snapshot(t, fx.dir))
		})
	}
}

func TestUpdateSelection(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, `images:
  backup-toolbox:
    repository: ghcr.io/josevictorferreira/backup-toolbox
    build:
      flake: ".#backup-toolbox"
  libebooker:
    repository: ghcr.io/josevictorferreira/libebooker
    build:
      flake: ".#libebooker"
`)
	t.Chdir(fx.dir)
	for _, args := range [][]string{
		{"update"},
		{"update", "--all", "busybox"},
		{"update", "no such thing"},
		{"update", "ghcr.io/nobody/nothing"},
	} {
		if code, _, stderr := run(t, "", args...); code != ExitBadInput {
			t.Errorf("%v: exit %d, want 2; stderr %s", args, code, stderr)
		}
	}
	code, out, stderr := run(t, "", "update", "--dry-run", "--no-build", "busybox:1.37", "libebooker")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "libebooker is built by this repository") {
		t.Errorf("owned image not explained:\n%s", stderr)
	}
	var files []string
	for l := range strings.Lines(out) {
		if f, ok := strings.CutPrefix(l, "+++ b/"); ok {
			files = append(files, strings.TrimSpace(f))
		}
	}
	want := []string{"modules/kubenix/apps/busybox-jobs.nix", "modules/kubenix/backup/postgres-backup.nix", "CHANGELOG.md", "pinner.lock"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files changed (-want +got):\n%s\n%s", diff, out)
	}
	if strings.Contains(out, "1.37.0-musl@") || strings.Contains(out, "libebooker") && strings.Contains(out, "+  libebookerTag") {
		t.Errorf("sites outside the selection changed:\n%s", out)
	}

	// --all --no-build skips the owned images' sites.
	code, out, stderr = run(t, "", "update", "--all", "--dry-run", "--no-build")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if strings.Contains(out, "+  libebookerTag") {
		t.Errorf("an owned image was pinned by the third-party path:\n%s", out)
	}
}

func TestResolve(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	bb, curl := fx.digests["docker.io/library/busybox:1.37"], fx.digests["docker.io/curlimages/curl:8.15.0"]
	code, out, stderr := run(t, "", "resolve", "busybox:1.37", "curlimages/curl:8.15.0")
	if code != 0 || out != "busybox:1.37 "+bb+"\ncurlimages/curl:8.15.0 "+curl+"\n" {
		t.Errorf("exit %d, output %q; stderr %s", code, out, stderr)
	}
	code, out, _ = run(t, "", "resolve", "--json", "busybox:1.37", "docker.io/library/nope:1")
	if code != ExitOutside {
		t.Errorf("missing tag: exit %d, want 3", code)
	}
	var got []resolved
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].Digest != bb {
		t.Errorf("json: %v %s", err, out)
	}
	if code, _, _ := run(t, "", "resolve", "Not/A/Ref:"); code != ExitBadInput {
		t.Errorf("invalid reference: exit %d, want 2", code)
	}
}

// TestUpdateDistribution runs update against the CNCF distribution
// registry as a child process.
func TestUpdateDistribution(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartDistribution(t)
	fx := seedFixture(t, host, "")
	t.Chdir(fx.dir)
	code, _, stderr := run(t, "", "update", "--all")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	sites, _, err := scan.Files(context.Background(), []string{"modules"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.Form == scan.FormDerived || !s.Editable || s.Image.Tag == "" {
			continue
		}
		if want := fx.digests[s.Image.Context()+":"+s.Image.Tag]; s.Image.Digest != want {
			t.Errorf("%s: %s, want digest %s", s.Position(), s.Ref, want)
		}
	}
	snap := snapshot(t, fx.dir)
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("second run: exit %d; %s", code, stderr)
	}
	sameFiles(t, snap, snapshot(t, fx.dir))
}

func TestUpdateBadInput(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	// The owned-image flags are accepted.
	if code, _, stderr := run(t, "", "update", "--all", "--dry-run", "--no-build", "--no-push", "--push-to", "oci:out"); code != 0 {
		t.Errorf("owned-image flags: exit %d; %s", code, stderr)
	}
	writeFile(t, filepath.Join("modules", "kubenix", "broken.nix"), "{ image = \"busybox:1.37\"; \n")
	before := snapshot(t, fx.dir)
	fx.faults.Reset()
	code, _, stderr := run(t, "", "update", "--all")
	if code != ExitBadInput || !strings.Contains(stderr, "broken.nix:2:1") {
		t.Errorf("syntax error: exit %d; stderr:\n%s", code, stderr)
	}
	sameFiles(t, before, snapshot(t, fx.dir))
	if fx.faults.Total() != 0 {
		t.Errorf("the registry was asked before the input was checked")
	}
	os.Remove(filepath.Join("modules", "kubenix", "broken.nix"))
	writeFile(t, "registry.yaml", "version: 1\nno_such_key: 1\n")
	if code, _, stderr := run(t, "", "update", "--all"); code != ExitBadInput {
		t.Errorf("bad config: exit %d; %s", code, stderr)
	}
}

// TestCheckHintsRun: every command check suggests runs and pins the site
// it was given for (it said "run: pinner update", which exits 2).
func TestCheckHintsRun(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	_, out, _ := run(t, "", "check")
	hints := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if _, h, ok := strings.Cut(l, "(run: "); ok {
			hints[strings.TrimSuffix(h, ")")] = true
		}
	}
	if len(hints) < 3 {
		t.Fatalf("%d hints, want several:\n%s", len(hints), out)
	}
	var ran []string
	for h := range hints {
		args := strings.Fields(h)
		if args[0] != "pinner" || len(args) != 3 || args[1] != "update" {
			t.Fatalf("hint %q is not pinner update NAME|REF", h)
		}
		if code, _, stderr := run(t, "", args[1:]...); code != 0 {
			t.Errorf("%s: exit %d; %s", h, code, stderr)
		}
		if ran = append(ran, h); len(ran) == 3 {
			break
		}
	}
	_, out, _ = run(t, "", "check")
	for _, h := range ran {
		if strings.Contains(out, "(run: "+h+")") {
			t.Errorf("%s did not pin its site:\n%s", h, out)
		}
	}
}
