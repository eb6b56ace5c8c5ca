package owned

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/fixedbuild"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// fixedImages is a configuration with one two-platform image whose Nix
// outputs are docker-archives written here, and the fixedbuild.Builder that hands
// them out: the owned path without Nix.
func fixedImages(t *testing.T, repo string) (*config.Config, fixedbuild.Builder) {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "registry.yaml"), []byte(`version: 1
images:
  app:
    repository: `+repo+`
    tag: "1.0"
    extra_tags: [latest]
    platforms: [linux/amd64, linux/arm64]
    build:
      file: app.nix
`))
	if err != nil {
		t.Fatal(err)
	}
	ins, err := nixbuild.ForImage(cfg, &cfg.Images[0])
	if err != nil {
		t.Fatal(err)
	}
	fixed := fixedbuild.Builder{}
	for _, in := range ins {
		img, err := random.Image(512, 2)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := v1.ParsePlatform(in.Platform)
		cf, _ := img.ConfigFile()
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, p.Architecture+".tar")
		tag, _ := name.NewTag(repo + ":1.0")
		if err := tarball.WriteToFile(out, tag, img); err != nil {
			t.Fatal(err)
		}
		fixed[in.String()] = nixbuild.Result{Out: out}
	}
	return cfg, fixed
}

// TestBuildFixed runs Build end to end on fixed outputs: an index of both
// platforms is pushed under both tags and confirmed once per tag by the
// publisher (no second round of checks), and a run with the lock of the
// first loads and uploads nothing.
func TestBuildFixed(t *testing.T) {
	f := registry.NewFaults()
	host, _ := registry.StartInProcess(t, f.Wrap)
	cfg, fixed := fixedImages(t, host+"/x/app")
	pub, err := oci.NewPublisher("")
	if err != nil {
		t.Fatal(err)
	}
	images := []Image{{Config: &cfg.Images[0]}}
	f.Reset()
	res, err := Build(context.Background(), cfg, images, Options{Builder: fixed, Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if !r.Published || r.Unchanged || len(r.Platforms) != 2 || r.Tag != "1.0" {
		t.Fatalf("result %+v", r)
	}
	// Build asks nothing of the registry beyond the publisher's own push
	// and confirmation: the same artifact published directly to another
	// repository costs as many manifest reads.
	built := f.Total()
	art := mustArtifact(t, fixed)
	f.Reset()
	if _, err := pub.Publish(context.Background(), oci.Request{Repository: host + "/x/other", Tags: []string{"1.0", "latest"}, Artifact: art}); err != nil {
		t.Fatal(err)
	}
	if direct := f.Total(); built != direct {
		t.Errorf("Build read manifests %d times, publishing alone %d: a second confirmation round", built, direct)
	}
	desc, err := remote.Head(mustRef(t, host+"/x/app:latest"))
	if err != nil || desc.Digest.String() != r.Digest || desc.MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Fatalf("registry serves %v (%v), want the index %s", desc, err, r.Digest)
	}

	// Second run: the lock records these outputs and the registry serves
	// the digest, so nothing is loaded, nothing is pushed.
	l := lock.New()
	l.Images[r.Key] = lock.Entry{Digest: r.Digest, Outputs: r.Outputs()}
	f.Reset()
	again, err := Build(context.Background(), cfg, images, Options{Builder: fixed, Publisher: pub, Lock: l})
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Unchanged || again[0].Digest != r.Digest {
		t.Errorf("second run %+v, want unchanged %s", again[0], r.Digest)
	}
	if f.Count("HEAD") != 2 || f.Count("GET") != 0 {
		t.Errorf("second run: %d HEAD, %d GET, want 2 HEAD (one per tag) and no GET", f.Count("HEAD"), f.Count("GET"))
	}

	// Without a publisher, the digest a push would give, and no request.
	f.Reset()
	dry, err := Build(context.Background(), cfg, images, Options{Builder: fixed})
	if err != nil || dry[0].Digest != r.Digest || dry[0].Published || f.Total() != 0 {
		t.Errorf("no publisher: %+v, %v, %d requests", dry, err, f.Total())
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mustArtifact is the index the fixed outputs make.
func mustArtifact(t *testing.T, fixed fixedbuild.Builder) oci.Artifact {
	t.Helper()
	var imgs []oci.PlatformImage
	for _, arch := range []string{"amd64", "arm64"} {
		for _, r := range fixed {
			if filepath.Base(r.Out) != arch+".tar" {
				continue
			}
			img, err := tarball.ImageFromPath(r.Out, nil)
			if err != nil {
				t.Fatal(err)
			}
			imgs = append(imgs, oci.PlatformImage{Platform: "linux/" + arch, Image: img})
		}
	}
	art, err := oci.NewArtifact(imgs)
	if err != nil {
		t.Fatal(err)
	}
	return art
}

// countingBuilder counts the builds it is asked for.
type countingBuilder struct {
	fixedbuild.Builder
	builds int
}

func (c *countingBuilder) Build(ctx context.Context, ins []nixbuild.Installable) ([]nixbuild.Result, error) {
	c.builds++
	return c.Builder.Build(ctx, ins)
}

// TestGitTagOutsideGitFailsBeforeBuilding: a {git} tag outside a git
// repository is bad input before Nix runs (it failed after the build);
// with a lock whose tag the image may keep, the build decides.
func TestGitTagOutsideGitFailsBeforeBuilding(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	cfg, fixed := fixedImages(t, "ghcr.io/x/app")
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(cfg.Dir))
	cfg.Images[0].Tag = "{git}"
	b := &countingBuilder{Builder: fixed}
	_, err := Build(context.Background(), cfg, []Image{{Config: &cfg.Images[0]}}, Options{Builder: b})
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "before building") || b.builds != 0 {
		t.Fatalf("err = %v after %d build(s), want ErrBadInput before any", err, b.builds)
	}

	// The lock records a tag of this repository built from these outputs:
	// the image keeps it, and git is not needed.
	outputs := map[string]string{}
	ins, _ := nixbuild.ForImage(cfg, &cfg.Images[0])
	for _, in := range ins {
		outputs[in.Platform] = fixed[in.String()].Out
	}
	l := lock.New()
	l.Images["ghcr.io/x/app:abc1234"] = lock.Entry{Digest: "sha256:" + strings.Repeat("a", 64), Outputs: outputs}
	res, err := Build(context.Background(), cfg, []Image{{Config: &cfg.Images[0]}}, Options{Builder: b, Lock: l})
	if err != nil || b.builds != 1 || res[0].Tag != "abc1234" {
		t.Fatalf("with a lock to keep: %v after %d build(s), %+v", err, b.builds, res)
	}
}
