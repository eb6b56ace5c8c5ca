package update

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/nix2container"
	"github.com/pinner-dev/pinner/internal/testutil/n2cimage"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// n2cRepo is a repository whose owned images are nix2container images
// (../nix2container/testdata/images.nix) pushed to an in-process registry
// that logs every request.
type n2cRepo struct {
	dir, host string
	log       *registry.RequestLog
}

const n2cModule = `{
  app.image = "ghcr.io/acme/app:1.0";
  other.image = "ghcr.io/acme/other:1.0";
  tampered.image = "ghcr.io/acme/tampered:1.0";
  vanished.image = "ghcr.io/acme/app:vanished";
}
`

func newN2CRepo(t *testing.T) *n2cRepo {
	t.Helper()
	bin, recipe := n2cimage.Tool(t)
	t.Setenv("NIX_CONFIG", "substituters =")
	r := &n2cRepo{dir: t.TempDir(), log: &registry.RequestLog{}}
	// Distribution keeps blobs per repository, as hosted registries do: a
	// layer in ghcr.io/acme/app is not in ghcr.io/acme/other.
	r.host = registry.StartDistributionLogged(t, r.log)
	nixFile, err := os.ReadFile(filepath.Join("..", "nix2container", "testdata", "images.nix"))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(r.dir, "images.nix"), string(nixFile))
	writeTestFile(t, filepath.Join(r.dir, "modules", "kubenix", "apps.nix"), n2cModule)
	var images strings.Builder
	for _, img := range []struct{ name, repo, tag, attr, platforms, extra string }{
		{"app", "ghcr.io/acme/app", "1.0", "app", "[linux/amd64, linux/arm64]", ""},
		{"other", "ghcr.io/acme/other", "1.0", "other", "[linux/amd64]", "    source: https://example.com/acme/other\n"},
		{"tampered", "ghcr.io/acme/tampered", "1.0", "tampered", "[linux/amd64]", ""},
		{"vanished", "ghcr.io/acme/app", "vanished", "vanished", "[linux/amd64]", ""},
	} {
		fmt.Fprintf(&images, "  %s:\n    repository: %s\n    tag: %q\n    platforms: %s\n    build:\n      file: images.nix\n      attr: %s\n      args: {n2c: %q, bin: %q}\n%s",
			img.name, img.repo, img.tag, img.platforms, img.attr, recipe, bin, img.extra)
	}
	writeTestFile(t, filepath.Join(r.dir, "registry.yaml"), fmt.Sprintf(
		"version: 1\nmodules: [\"modules/kubenix/**/*.nix\"]\nlock: \"\"\nchangelog: \"\"\nmirrors:\n  ghcr.io: http://%s/ghcr.io\nimages:\n%s", r.host, images.String()))
	t.Chdir(r.dir)
	return r
}

func (r *n2cRepo) update(t *testing.T, targets ...string) (*Result, error) {
	t.Helper()
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), cfg, Options{Targets: targets, Registry: quick()})
}

func (r *n2cRepo) module(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("modules", "kubenix", "apps.nix"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// layersOf are the distinct layer digests of an image.json.
func layersOf(t *testing.T, path string) []string {
	t.Helper()
	img, err := nix2container.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range img.Layers {
		out = append(out, l.Digest)
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// Two platforms of a nix2container image become one OCI index, pinned by
// its digest; every layer is uploaded once; a rerun uploads nothing; a
// second image that shares a layer uploads only its own.
func TestNix2containerPush(t *testing.T) {
	r := newN2CRepo(t)
	res, err := r.update(t, "app")
	if err != nil {
		t.Fatal(err)
	}
	app := res.Owned[0]
	desc, err := remote.Head(mustRef(t, r.host+"/ghcr.io/acme/app:1.0"))
	if err != nil || desc.MediaType != types.OCIImageIndex || desc.Digest.String() != app.Digest {
		t.Fatalf("registry has %+v, %v; want an index %s", desc, err, app.Digest)
	}
	if !strings.Contains(r.module(t), "ghcr.io/acme/app:1.0@"+app.Digest) {
		t.Errorf("app not pinned to its index:\n%s", r.module(t))
	}
	layers := layersOf(t, app.Platforms[0].Output)
	uploads := r.log.BlobUploads()
	for _, l := range layers {
		if n := countOf(uploads, l); n != 1 {
			t.Errorf("layer %s uploaded %d times, want once", l, n)
		}
	}
	// Each platform's config, and the layers (the same for both).
	if len(uploads) != len(layers)+2 {
		t.Errorf("uploaded %d blobs, want %d layers and 2 configs: %v", len(uploads), len(layers), uploads)
	}

	// Without a lock the images are loaded again: every blob is there.
	r.log.Reset()
	res, err = r.update(t, "app")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.log.BlobUploads(); len(got) != 0 || res.Owned[0].Digest != app.Digest {
		t.Errorf("rerun uploaded %v; digest %s, was %s", got, res.Owned[0].Digest, app.Digest)
	}

	r.log.Reset()
	res, err = r.update(t, "other")
	if err != nil {
		t.Fatal(err)
	}
	otherLayers := layersOf(t, res.Owned[0].Platforms[0].Output)
	var own []string
	for _, l := range otherLayers {
		if !slices.Contains(layers, l) {
			own = append(own, l)
		}
	}
	if len(own) == len(otherLayers) {
		t.Fatalf("other shares no layer with app: %v, %v", otherLayers, layers)
	}
	// source: in registry.yaml labels other's image, and only other's.
	pushedOther, err := remote.Image(mustRef(t, r.host+"/ghcr.io/acme/other:1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if cf, err := pushedOther.ConfigFile(); err != nil || cf.Config.Labels["org.opencontainers.image.source"] != "https://example.com/acme/other" {
		t.Errorf("other's labels: %v, %v", cf.Config.Labels, err)
	}
	got := r.log.BlobUploads()
	for _, l := range otherLayers {
		if want := slices.Contains(own, l); slices.Contains(got, l) != want {
			t.Errorf("layer %s uploaded: %v, want %v (uploads %v)", l, !want, want, got)
		}
	}
}

// A destination that has every layer needs none of them tarred: an
// image.json whose store paths do not exist still publishes.
func TestNix2containerTarsNothingPresent(t *testing.T) {
	r := newN2CRepo(t)
	if _, err := r.update(t, "vanished"); err == nil {
		t.Fatal("published layers whose store paths do not exist to an empty registry")
	}
	app, err := r.update(t, "app")
	if err != nil {
		t.Fatal(err)
	}
	r.log.Reset()
	res, err := r.update(t, "vanished")
	if err != nil {
		t.Fatal(err)
	}
	// Its config is app's amd64 one: the same image.
	if got := r.log.BlobUploads(); len(got) != 0 || res.Owned[0].Digest != app.Owned[0].Platforms[0].Digest {
		t.Errorf("uploaded %v; digest %s, want app's amd64 image %s", got, res.Owned[0].Digest, app.Owned[0].Platforms[0].Digest)
	}
	if !strings.Contains(r.module(t), "ghcr.io/acme/app:vanished@"+res.Owned[0].Digest) {
		t.Errorf("not pinned:\n%s", r.module(t))
	}
}

// A layer whose store paths tar to another digest stops the run with an
// error naming the layer; nothing is pinned and no manifest is pushed.
func TestNix2containerMismatch(t *testing.T) {
	r := newN2CRepo(t)
	before := r.module(t)
	_, err := r.update(t, "tampered")
	var le *nix2container.LayerError
	if !errors.As(err, &le) || le.Index != 2 || diag.KindOf(err) != diag.Outside {
		t.Fatalf("err = %v (kind %v), want a LayerError for layer 2, an outside failure", err, diag.KindOf(err))
	}
	if !strings.Contains(err.Error(), "layer 2 (sha256:") {
		t.Errorf("error does not name the layer: %v", err)
	}
	if r.module(t) != before {
		t.Errorf("module changed:\n%s", r.module(t))
	}
	if n := r.log.Count("PUT", "/manifests/"); n != 0 {
		t.Errorf("%d manifests pushed", n)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// Each platform built and pushed by digest on its own (as on two
// machines), then assembled from the two outputs: the same index a build
// of both platforms on one machine makes, tagged and pinned.
func TestFromBuilds(t *testing.T) {
	r := newN2CRepo(t)
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		res, err := Build(context.Background(), cfg, []string{"app"}, []string{p}, Options{Push: true, Registry: quick()})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(ByDigest(res))
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "build.json")
		writeTestFile(t, f, string(data))
		files = append(files, f)
	}
	if _, err := remote.Head(mustRef(t, r.host+"/ghcr.io/acme/app:1.0")); err == nil {
		t.Fatal("pinner build --push set a tag")
	}
	if n := r.log.Count("PUT", "/manifests/1.0"); n != 0 {
		t.Fatalf("pinner build --push pushed a tag")
	}

	// One platform's file only: bad input, nothing changes.
	before := r.module(t)
	_, err = Run(context.Background(), cfg, Options{Targets: []string{"app"}, NoBuild: true, FromBuilds: files[:1], Registry: quick()})
	if diag.KindOf(err) != diag.BadInput || !strings.Contains(err.Error(), "linux/arm64") {
		t.Fatalf("assembling without arm64: %v", err)
	}
	if r.module(t) != before {
		t.Fatal("module changed")
	}

	res, err := Run(context.Background(), cfg, Options{Targets: []string{"app"}, NoBuild: true, FromBuilds: files, Registry: quick()})
	if err != nil {
		t.Fatal(err)
	}
	assembled := res.Owned[0].Digest
	if pushed := res.Pushed(); len(pushed) != 1 || pushed[0].Digest != assembled || len(pushed[0].Platforms) != 2 || !slices.Equal(pushed[0].Tags, []string{"1.0"}) {
		t.Errorf("pushed: %+v", pushed)
	}
	if !strings.Contains(r.module(t), "ghcr.io/acme/app:1.0@"+assembled) {
		t.Errorf("not pinned to %s:\n%s", assembled, r.module(t))
	}
	desc, err := remote.Head(mustRef(t, r.host+"/ghcr.io/acme/app:1.0"))
	if err != nil || desc.Digest.String() != assembled || desc.MediaType != types.OCIImageIndex {
		t.Errorf("tag 1.0: %+v, %v", desc, err)
	}

	// Both platforms built here: the same index, nothing new to upload.
	r.log.Reset()
	res, err = r.update(t, "app")
	if err != nil {
		t.Fatal(err)
	}
	if res.Owned[0].Digest != assembled || len(r.log.BlobUploads()) != 0 {
		t.Errorf("single-machine build: %s (uploads %v), assembled %s", res.Owned[0].Digest, r.log.BlobUploads(), assembled)
	}
}

// A build file naming an image the destination does not hold fails
// before anything is pinned; a malformed one is bad input at its line.
func TestFromBuildsChecks(t *testing.T) {
	r := newN2CRepo(t)
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.json")
	writeTestFile(t, missing, `[{"name":"other","repository":"ghcr.io/acme/other","platform":"linux/amd64","digest":"sha256:`+strings.Repeat("a", 64)+`"}]`)
	_, err = Run(context.Background(), cfg, Options{Targets: []string{"other"}, NoBuild: true, FromBuilds: []string{missing}, Registry: quick()})
	if err == nil || !strings.Contains(err.Error(), "ghcr.io/acme/other@sha256:aaaa") {
		t.Errorf("missing child: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	writeTestFile(t, bad, "[\n  {\"name\":\"nope\",\"repository\":\"x\",\"platform\":\"linux/amd64\",\"digest\":\"sha256:1\"}\n]\n")
	_, err = Run(context.Background(), cfg, Options{All: true, NoBuild: true, FromBuilds: []string{bad}, Registry: quick()})
	if diag.KindOf(err) != diag.BadInput || !strings.Contains(err.Error(), bad+":2:3: no image \"nope\"") {
		t.Errorf("bad file: %v", err)
	}
	_ = r
}

// To an OCI layout (push_to: oci:DIR) the layers are tarred into blobs
// that have their recorded digests, and a rerun writes none again.
func TestNix2containerLayout(t *testing.T) {
	r := newN2CRepo(t)
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	o := Options{Targets: []string{"app"}, PushTo: "oci:" + dir, Registry: quick()}
	res, err := Run(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	for _, l := range layersOf(t, res.Owned[0].Platforms[0].Output) {
		b, err := os.ReadFile(filepath.Join(blobs, strings.TrimPrefix(l, "sha256:")))
		if err != nil {
			t.Fatalf("layer %s not in the layout: %v", l, err)
		}
		if got := fmt.Sprintf("sha256:%x", sha256.Sum256(b)); got != l {
			t.Errorf("blob %s holds %s", l, got)
		}
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !strings.Contains(string(idx), res.Owned[0].Digest) {
		t.Errorf("index.json does not name %s: %s", res.Owned[0].Digest, idx)
	}
	before, _ := os.ReadDir(blobs)
	stamp := map[string]time.Time{}
	for _, e := range before {
		fi, _ := e.Info()
		stamp[e.Name()] = fi.ModTime()
	}
	res2, err := Run(context.Background(), cfg, o)
	if err != nil || res2.Owned[0].Digest != res.Owned[0].Digest {
		t.Fatalf("rerun: %v, %v", res2, err)
	}
	after, _ := os.ReadDir(blobs)
	for _, e := range after {
		fi, _ := e.Info()
		if !fi.ModTime().Equal(stamp[e.Name()]) {
			t.Errorf("blob %s written again", e.Name())
		}
	}
	_ = r
}
