package update

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/testutil/fixedbuild"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/rewrite"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// repo is a repository of modules whose registries are mirrored to one
// in-process registry holding an image for every tagged reference.
type repo struct {
	dir     string
	cfg     *config.Config
	mirrors map[string]string
	digests map[string]string // by normalised reference
}

const module = `{ lib, ... }: let
  v = "1.0";
in {
  a.image = "ghcr.io/acme/a:${v}";
  b.values.image.repository = "quay.io/acme/b";
  b.values.image.tag = "2.0";
  c.containers = [ { image = "busybox:1.37"; } ];
  d.image = "ghcr.io/acme/own:1.0";
}
`

func newRepo(t *testing.T, extra string) *repo {
	t.Helper()
	host, _ := registry.StartInProcess(t)
	r := &repo{dir: t.TempDir(), digests: map[string]string{}, mirrors: map[string]string{
		"ghcr.io": "http://" + host + "/ghcr.io", "quay.io": "http://" + host + "/quay.io", "docker.io": "http://" + host + "/hub",
	}}
	writeTestFile(t, filepath.Join(r.dir, "modules", "kubenix", "apps.nix"), module)
	text := fmt.Sprintf("version: 1\nmodules: [\"modules/kubenix/**/*.nix\"]\nmirrors:\n  ghcr.io: %s\n  quay.io: %s\n  docker.io: %s\n%s",
		r.mirrors["ghcr.io"], r.mirrors["quay.io"], r.mirrors["docker.io"], extra)
	writeTestFile(t, filepath.Join(r.dir, "registry.yaml"), text)
	t.Chdir(r.dir)
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r.cfg = cfg
	sites, _, err := scan.Files(context.Background(), []string{"modules"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.Form != scan.FormDerived && s.Image.Tag != "" {
			r.push(t, s.Image.Context()+":"+s.Image.Tag, "1")
		}
	}
	return r
}

// push stores an image for ref under its mirror; generation tells images
// of one reference apart.
func (r *repo) push(t *testing.T, ref, generation string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	target, err := oci.MirrorRef(tag, r.mirrors, nil)
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
	r.digests[ref] = d
	return d
}

func quick() Registry {
	return Registry{Jobs: 4, RequestTimeout: 5 * time.Second, RetryAttempts: 1, RetryBackoff: time.Millisecond}
}

// TestRun pins every third-party site, records the changes, and a second
// run writes nothing.
func TestRun(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1795651200")
	r := newRepo(t, "")
	var written []string
	o := Options{All: true, Registry: quick(), Write: func(outs []rewrite.Output) error {
		for _, out := range outs {
			written = append(written, filepath.Base(out.Path))
		}
		return rewrite.WriteAll(outs)
	}, PRBody: filepath.Join(t.TempDir(), "pr.md")}
	res, err := Run(context.Background(), r.cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Plan.Changes) != 4 {
		t.Errorf("%d changes, want 4: %+v", len(res.Plan.Changes), res.Plan.Changes)
	}
	// The modules first, then the changelog, then the lock, the PR body
	// last: the changelog never records a digest no module got.
	if !slices.Equal(written, []string{"apps.nix", "CHANGELOG.md", "pinner.lock", "pr.md"}) {
		t.Errorf("written in the order %v", written)
	}
	src, _ := os.ReadFile(filepath.Join("modules", "kubenix", "apps.nix"))
	for ref, d := range r.digests {
		if !strings.Contains(string(src), "@"+d) {
			t.Errorf("%s is not pinned to %s:\n%s", ref, d, src)
		}
	}
	l, _, err := lock.Read("pinner.lock")
	if err != nil || l.Images["ghcr.io/acme/a:1.0"].Digest != r.digests["ghcr.io/acme/a:1.0"] {
		t.Errorf("lock: %+v, %v", l, err)
	}

	written = nil
	res, err = Run(context.Background(), r.cfg, o)
	if err != nil || len(res.Outputs) != 0 || !slices.Equal(written, []string{"pr.md"}) {
		t.Errorf("second run: %d outputs, wrote %v, %v", len(res.Outputs), written, err)
	}
}

// TestRunDryRunAndSelection: a dry run writes nothing and says what would
// change; naming a reference selects its sites only.
func TestRunDryRunAndSelection(t *testing.T) {
	r := newRepo(t, "")
	before, _ := os.ReadFile(filepath.Join("modules", "kubenix", "apps.nix"))
	res, err := Run(context.Background(), r.cfg, Options{Targets: []string{"quay.io/acme/b"}, DryRun: true, Registry: quick(),
		Write: func([]rewrite.Output) error { t.Error("a dry run wrote"); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Plan.Changes) != 1 || res.Plan.Changes[0].Repository != "quay.io/acme/b" {
		t.Errorf("changes: %+v", res.Plan.Changes)
	}
	if d := res.Diff(r.dir); !strings.Contains(d, `+  b.values.image.tag = "2.0@`+r.digests["quay.io/acme/b:2.0"]) {
		t.Errorf("diff:\n%s", d)
	}
	if after, _ := os.ReadFile(filepath.Join("modules", "kubenix", "apps.nix")); string(after) != string(before) {
		t.Error("the module changed")
	}
	_, err = Run(context.Background(), r.cfg, Options{Targets: []string{"ghcr.io/nobody/x"}, Registry: quick()})
	if diag.KindOf(err) != diag.BadInput || !strings.Contains(fmt.Sprint(err), "no image site matches") {
		t.Errorf("unknown target: %v", err)
	}
}

// TestRunRegistryFailureChangesNothing: a tag the registry does not have
// fails the run as an outside failure, and no file changes.
func TestRunRegistryFailureChangesNothing(t *testing.T) {
	r := newRepo(t, "")
	writeTestFile(t, filepath.Join("modules", "kubenix", "more.nix"), `{ image = "ghcr.io/acme/missing:9"; }`+"\n")
	_, err := Run(context.Background(), r.cfg, Options{All: true, Registry: quick(),
		Write: func([]rewrite.Output) error { t.Error("a failing run wrote"); return nil }})
	if err == nil || diag.KindOf(err) != diag.Outside {
		t.Fatalf("err = %v, kind %v", err, diag.KindOf(err))
	}
	if _, err := os.Stat("pinner.lock"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a lock file was written")
	}
}

// TestRunSyntaxError stops before anything else with every syntax error.
func TestRunSyntaxError(t *testing.T) {
	r := newRepo(t, "")
	writeTestFile(t, filepath.Join("modules", "kubenix", "bad.nix"), "{ a = ; }\n")
	_, err := Run(context.Background(), r.cfg, Options{All: true, Registry: quick()})
	var se *SyntaxError
	if !errors.As(err, &se) || len(se.Errors) != 1 || diag.KindOf(err) != diag.BadInput {
		t.Fatalf("err = %v", err)
	}
}

// TestRunOwned: an image the repository builds is built (by a FixedBuild:
// no Nix), pushed into an OCI layout, and its sites pinned to the digest
// pushed; the lock records its outputs, and a second run uploads nothing.
func TestRunOwned(t *testing.T) {
	r := newRepo(t, "images:\n  own:\n    repository: ghcr.io/acme/own\n    tag: \"1.0\"\n    build:\n      file: own.nix\n")
	ins, err := nixbuildForImage(r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "own.tar")
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{Architecture: "amd64", OS: "linux"})
	if err != nil {
		t.Fatal(err)
	}
	writeArchive(t, out, "ghcr.io/acme/own:1.0", img)
	fixed := fixedbuild.Builder{ins: nixbuild.Result{Out: out}}
	layoutDir := filepath.Join(r.dir, "oci-store")
	o := Options{All: true, Registry: quick(), Builder: fixed, PushTo: "oci:" + layoutDir}
	res, err := Run(context.Background(), r.cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Owned) != 1 || !res.Owned[0].Published {
		t.Fatalf("owned: %+v", res.Owned)
	}
	d := res.Owned[0].Digest
	src, _ := os.ReadFile(filepath.Join("modules", "kubenix", "apps.nix"))
	if !strings.Contains(string(src), `"ghcr.io/acme/own:1.0@`+d+`"`) {
		t.Errorf("the owned site is not pinned to %s:\n%s", d, src)
	}
	l, _, _ := lock.Read("pinner.lock")
	if e := l.Images["ghcr.io/acme/own:1.0"]; e.Digest != d || e.Pushed != d || e.Outputs["linux/amd64"] != out {
		t.Errorf("lock entry %+v", e)
	}
	again, err := Run(context.Background(), r.cfg, o)
	if err != nil || !again.Owned[0].Unchanged || len(again.Outputs) != 0 {
		t.Errorf("second run: %+v, %d outputs, %v", again.Owned, len(again.Outputs), err)
	}
}

func nixbuildForImage(cfg *config.Config) (string, error) {
	ins, err := nixbuild.ForImage(cfg, &cfg.Images[0])
	if err != nil {
		return "", err
	}
	return ins[0].String(), nil
}

func writeArchive(t *testing.T, path, ref string, img v1.Image) {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
}

// TestRunWarnsOfLookAlikes: an images: entry no site references, and a
// site one letter off its repository (a typo that makes the owned image a
// third-party one), are warned of; the run goes on.
func TestRunWarnsOfLookAlikes(t *testing.T) {
	r := newRepo(t, "images:\n  aa:\n    repository: ghcr.io/acme/aa\n    build:\n      file: aa.nix\n")
	res, err := Run(context.Background(), r.cfg, Options{All: true, NoBuild: true, DryRun: true, Registry: quick()})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(res.Warnings, "\n")
	for _, want := range []string{
		`image "ghcr.io/acme/a:1.0" is not one this repository builds, but it is 1 character(s) from the repository of images: "aa" (ghcr.io/acme/aa)`,
		`images: "aa" (ghcr.io/acme/aa): no module references it`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
}
