package oci_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/pinner-dev/pinner/internal/image"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

const fixturesDir = "../../modules-fixtures/oci-images"

// fixtureTags is every fixture image of the migration list and its tag.
var fixtureTags = map[string]string{
	"backup-toolbox":            "1.0.0",
	"postgresql-vchord-bitnami": "38c40fefe0c58cff6622de77f787634320e1ae5e",
	"valoris-frontend":          "latest",
	"valoris-backend":           "latest",
	"openclaw-nix":              "latest",
	"youtube-transcriber":       "0.0.1",
	"alarm-server":              "v0.2.3",
	"libebooker":                "latest",
	"openrouter-proxy":          "v0.0.5",
	"mcpo":                      "latest",
	"ollama":                    "0.12.6-1-g7f551c4-dirty-rocm",
}

type built struct {
	name, platform string
	out            *image.Output
}

// buildFixtures builds fixture images with real Nix, one installable per
// image and platform, and loads them; it skips without nix.
func buildFixtures(t *testing.T, platforms []string, names ...string) []built {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	var ins []nixbuild.Installable
	for _, n := range names {
		f, err := filepath.Abs(filepath.Join(fixturesDir, n+".nix"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range platforms {
			sys, err := nixbuild.NixSystem(p)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, nixbuild.Installable{File: f, Args: map[string]string{"system": sys}, Image: n, Platform: p})
		}
	}
	b := &nixbuild.Builder{Env: []string{"NIX_CONFIG=substituters ="}}
	res, err := b.Build(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	var out []built
	for _, r := range res {
		o, err := image.Load(context.Background(), r.Out)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Close() })
		out = append(out, built{name: r.Installable.Image, platform: r.Installable.Platform, out: o})
	}
	return out
}

func artifact(t *testing.T, bs ...built) oci.Artifact {
	t.Helper()
	var pis []oci.PlatformImage
	for _, b := range bs {
		pis = append(pis, oci.PlatformImage{Platform: b.platform, Image: b.out.Image})
	}
	a, err := oci.NewArtifact(pis)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newPublisher(t *testing.T, opts ...oci.Option) *oci.RegistryPublisher {
	t.Helper()
	opts = append([]oci.Option{oci.WithRetry(2, 10*time.Millisecond, 20*time.Millisecond), oci.WithRequestTimeout(10 * time.Second)}, opts...)
	p, err := oci.NewRegistryPublisher(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func headDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return desc.Digest
}

// uploadCounter counts blob uploads (POST and PUT under /blobs/uploads/).
type uploadCounter struct {
	mu sync.Mutex
	n  int
}

func (c *uploadCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodPost || r.Method == http.MethodPut) && strings.Contains(r.URL.Path, "/blobs/uploads/") {
			c.mu.Lock()
			c.n++
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (c *uploadCounter) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = 0
	return n
}

// Every fixture image, whatever kind of output Nix made, pushes to the
// in-process registry under its tag and an extra tag, and the registry
// serves the digest pinner computed without pushing.
func TestPublishFixturesInProcess(t *testing.T) {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range fixtureTags {
			if !yield(k) {
				return
			}
		}
	})
	bs := buildFixtures(t, []string{"linux/amd64"}, names...)
	host, _ := registry.StartInProcess(t)
	p := newPublisher(t)
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) {
			a := artifact(t, b)
			want, err := a.Digest()
			if err != nil {
				t.Fatal(err)
			}
			repo := host + "/josevictorferreira/" + b.name
			var last oci.Progress
			pub, err := p.Publish(context.Background(), oci.Request{
				Repository: repo, Tags: []string{fixtureTags[b.name], "pinned"}, Artifact: a,
				Progress: func(pr oci.Progress) { last = pr },
			})
			if err != nil {
				t.Fatal(err)
			}
			if pub.Digest != want || pub.Ref() != repo+"@"+want.String() {
				t.Errorf("published %s, want %s", pub.Ref(), want)
			}
			for _, tag := range []string{fixtureTags[b.name], "pinned"} {
				if got := headDigest(t, repo+":"+tag); got != want {
					t.Errorf("%s:%s serves %s, want %s", repo, tag, got, want)
				}
			}
			if last.Total == 0 || last.Complete != last.Total {
				t.Errorf("last progress %+v, want complete", last)
			}
			r, _ := name.ParseReference(repo + "@" + want.String())
			pulled, err := remote.Image(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(pulled); err != nil {
				t.Errorf("pulled image invalid: %v", err)
			}
		})
	}
}

// backup-toolbox for two platforms becomes one OCI index whose digest is
// the one pinned; both children carry their platform.
func TestPublishTwoPlatformIndex(t *testing.T) {
	bs := buildFixtures(t, []string{"linux/amd64", "linux/arm64"}, "backup-toolbox")
	a := artifact(t, bs...)
	if a.Index == nil {
		t.Fatal("two platforms did not make an index")
	}
	host, _ := registry.StartInProcess(t)
	repo := host + "/josevictorferreira/backup-toolbox"
	pub, err := newPublisher(t).Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"1.0.0", "latest"}, Artifact: a})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := a.Index.Digest()
	if pub.Digest != want || headDigest(t, repo+":1.0.0") != want || headDigest(t, repo+":latest") != want {
		t.Fatalf("published %s, want index digest %s", pub.Digest, want)
	}
	r, _ := name.ParseReference(repo + ":1.0.0")
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Architecture != m.Platform.Architecture {
			t.Errorf("child %s declares %s", m.Platform, cf.Architecture)
		}
	}
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms = %v", platforms)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("pulled index invalid: %v", err)
	}
}

// A second push of the same image uploads no blob: not to the same tag,
// and not to a new tag of the same repository either.
func TestPublishSkipsExistingBlobs(t *testing.T) {
	bs := buildFixtures(t, []string{"linux/amd64", "linux/arm64"}, "backup-toolbox")
	a := artifact(t, bs...)
	var c uploadCounter
	host, _ := registry.StartInProcess(t, c.wrap)
	repo := host + "/josevictorferreira/backup-toolbox"
	publish := func(tags ...string) {
		t.Helper()
		if _, err := newPublisher(t).Publish(context.Background(), oci.Request{Repository: repo, Tags: tags, Artifact: a}); err != nil {
			t.Fatal(err)
		}
	}
	publish("1.0.0")
	if n := c.take(); n == 0 {
		t.Fatal("the first push uploaded nothing")
	}
	publish("1.0.0")
	if n := c.take(); n != 0 {
		t.Errorf("the second push uploaded %d blob requests, want 0", n)
	}
	publish("1.0.1", "latest")
	if n := c.take(); n != 0 {
		t.Errorf("pushing new tags uploaded %d blob requests, want 0", n)
	}
}

// The tag must serve what was pushed; a registry that answers with another
// digest (a concurrent push, a converting proxy) is an error.
func TestPublishDigestMismatch(t *testing.T) {
	bs := buildFixtures(t, []string{"linux/amd64"}, "mcpo")
	other := "sha256:" + strings.Repeat("ab", 32)
	lie := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
				w = &digestRewriter{ResponseWriter: w, digest: other}
			}
			next.ServeHTTP(w, r)
		})
	}
	host, _ := registry.StartInProcess(t, lie)
	_, err := newPublisher(t).Publish(context.Background(), oci.Request{
		Repository: host + "/x/mcpo", Tags: []string{"latest"}, Artifact: artifact(t, bs...)})
	if !errors.Is(err, oci.ErrDigestMismatch) {
		t.Fatalf("err = %v, want ErrDigestMismatch", err)
	}
	if !strings.Contains(err.Error(), other) {
		t.Errorf("error %q does not name the digest served", err)
	}
}

type digestRewriter struct {
	http.ResponseWriter
	digest string
	done   bool
}

func (d *digestRewriter) WriteHeader(code int) {
	if !d.done {
		d.done = true
		if code == http.StatusOK {
			d.Header().Set("Docker-Content-Digest", d.digest)
		}
	}
	d.ResponseWriter.WriteHeader(code)
}

func (d *digestRewriter) Write(b []byte) (int, error) {
	if !d.done {
		d.WriteHeader(http.StatusOK)
	}
	return d.ResponseWriter.Write(b)
}

// Against the CNCF distribution registry, through a mirror: a single image
// and the two-platform index land under the mirror's path, and the result
// names the repository as configured.
func TestPublishDistributionThroughMirror(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts docker-registry")
	}
	bs := buildFixtures(t, []string{"linux/amd64", "linux/arm64"}, "backup-toolbox")
	host, _ := registry.StartDistribution(t)
	p := newPublisher(t, oci.WithMirrors(map[string]string{"ghcr.io": "http://" + host + "/ghcr.io"}))
	for name, a := range map[string]oci.Artifact{
		"index":  artifact(t, bs...),
		"single": artifact(t, bs[0]),
	} {
		t.Run(name, func(t *testing.T) {
			repo := "ghcr.io/josevictorferreira/backup-toolbox-" + name
			pub, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"1.0.0", "latest"}, Artifact: a})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := a.Digest()
			if pub.Repository != repo || pub.Digest != want {
				t.Errorf("published %s, want %s@%s", pub.Ref(), repo, want)
			}
			for _, tag := range []string{"1.0.0", "latest"} {
				if got := headDigest(t, host+"/"+repo+":"+tag); got != want {
					t.Errorf("mirror serves %s for %s, want %s", got, tag, want)
				}
			}
		})
	}
}

// The OCI layout destination: tags become ref.name entries, re-publishing
// changes nothing, a moved tag replaces its entry, and what is written
// reads back to the same digests.
func TestPublishLayoutRoundTrip(t *testing.T) {
	bs := buildFixtures(t, []string{"linux/amd64", "linux/arm64"}, "backup-toolbox")
	index, single := artifact(t, bs...), artifact(t, bs[0])
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := oci.NewLayoutPublisher(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo := "ghcr.io/josevictorferreira/backup-toolbox"
	publish := func(a oci.Artifact, tags ...string) v1.Hash {
		t.Helper()
		pub, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: tags, Artifact: a})
		if err != nil {
			t.Fatal(err)
		}
		return pub.Digest
	}
	singleDigest := publish(single, "1.0.0", "latest")
	if ok, err := p.Serves(context.Background(), repo, []string{"1.0.0", "latest"}, singleDigest.String()); err != nil || !ok {
		t.Fatalf("Serves(%s) = %v, %v after publishing", singleDigest, ok, err)
	}
	if ok, _ := p.Serves(context.Background(), repo, []string{"1.0.0", "other"}, singleDigest.String()); ok {
		t.Fatal("Serves says yes for a tag never written")
	}
	before, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	publish(single, "1.0.0", "latest")
	after, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !bytes.Equal(before, after) {
		t.Errorf("re-publishing changed index.json:\n%s\n---\n%s", before, after)
	}

	// Move "latest" to the index.
	indexDigest := publish(index, "latest")
	entries := layoutEntries(t, dir)
	want := map[string]v1.Hash{repo + ":1.0.0": singleDigest, repo + ":latest": indexDigest}
	if len(entries) != len(want) {
		t.Errorf("entries = %v, want %v", entries, want)
	}
	for ref, d := range want {
		if entries[ref] != d {
			t.Errorf("%s = %s, want %s", ref, entries[ref], d)
		}
	}
	if d, ok, err := p.Lookup(repo, "latest"); err != nil || !ok || d != indexDigest {
		t.Errorf("Lookup(latest) = %s, %v, %v", d, ok, err)
	}

	// Read both back through pkg/v1/layout.
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	img, err := lp.Image(singleDigest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("image from layout invalid: %v", err)
	}
	root, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := root.ImageIndex(indexDigest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("index from layout invalid: %v", err)
	}

	// A second publisher on the same directory sees the same layout, and
	// image.Load reads a single-entry layout written by it.
	p2, err := oci.NewLayoutPublisher(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := p2.Serves(context.Background(), repo, []string{"latest"}, indexDigest.String()); !ok {
		t.Error("reopened layout lacks the index")
	}
}

func layoutEntries(t *testing.T, dir string) map[string]v1.Hash {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]v1.Hash{}
	for _, m := range im.Manifests {
		out[m.Annotations[oci.RefNameAnnotation]] = m.Digest
	}
	return out
}

func TestNewArtifactChecksPlatform(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	// random.Image declares no platform; a real amd64 fixture listed as
	// arm64 must fail the same way.
	if _, err := oci.NewArtifact([]oci.PlatformImage{{Platform: "linux/arm64", Image: img}}); !errors.Is(err, oci.ErrPlatformMismatch) {
		t.Errorf("random image as linux/arm64: %v, want ErrPlatformMismatch", err)
	}
	bs := buildFixtures(t, []string{"linux/amd64"}, "mcpo")
	_, err = oci.NewArtifact([]oci.PlatformImage{
		{Platform: "linux/amd64", Image: bs[0].out.Image},
		{Platform: "linux/arm64", Image: bs[0].out.Image},
	})
	if !errors.Is(err, oci.ErrPlatformMismatch) || !strings.Contains(err.Error(), "linux/amd64") {
		t.Errorf("amd64 image as linux/arm64: %v, want ErrPlatformMismatch naming linux/amd64", err)
	}
}

func TestPublishRejectsBadRequests(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := oci.Artifact{Image: img}
	for name, req := range map[string]oci.Request{
		"bad tag":     {Repository: "ghcr.io/x/y", Tags: []string{"a:b"}, Artifact: a},
		"bad repo":    {Repository: "ghcr.io/X Y", Tags: []string{"1"}, Artifact: a},
		"no artifact": {Repository: "ghcr.io/x/y", Tags: []string{"1"}},
	} {
		lp, err := oci.NewLayoutPublisher(filepath.Join(t.TempDir(), "layout"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lp.Publish(context.Background(), req); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Without tags an image is pushed by digest: the destination then holds
// it (Image reads it back) and no tag names it.
func TestPublishByDigest(t *testing.T) {
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	host, _ := registry.StartInProcess(t)
	rp, err := oci.NewRegistryPublisher()
	if err != nil {
		t.Fatal(err)
	}
	lp, err := oci.NewPublisher("oci:" + filepath.Join(t.TempDir(), "layout"))
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string]oci.Publisher{"registry": rp, "layout": lp} {
		repo := host + "/x/by-digest"
		if _, err := pub.Image(context.Background(), repo, d.String()); !errors.Is(err, oci.ErrNotFound) {
			t.Errorf("%s: before pushing: %v, want ErrNotFound", name, err)
		}
		got, err := pub.Publish(context.Background(), oci.Request{Repository: repo, Artifact: oci.Artifact{Image: img}})
		if err != nil || got.Digest != d {
			t.Fatalf("%s: published %v, %v; want %s", name, got.Digest, err, d)
		}
		back, err := pub.Image(context.Background(), repo, d.String())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bd, _ := back.Digest(); bd != d {
			t.Errorf("%s: read back %s, want %s", name, bd, d)
		}
		if ok, _ := pub.Serves(context.Background(), repo, []string{"latest"}, d.String()); ok {
			t.Errorf("%s: a tag names the image pushed by digest", name)
		}
	}
}
