package oci

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// indexOf is an index of n random images for linux/amd64 variants.
func indexOf(t *testing.T, n int) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for range n {
		img, err := random.Image(16, 1)
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	}
	return mutate.AppendManifests(empty.Index, adds...)
}

// rawManifest lets a test put manifest bytes of its own making.
type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.b, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

func TestInspectNestedIndex(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	inner := indexOf(t, 2)
	outer := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: inner},
		mutate.IndexAddendum{Add: indexOf(t, 1)})
	if err := remote.WriteIndex(mustRef(t, host+"/x/nested:1"), outer); err != nil {
		t.Fatal(err)
	}
	got, err := newTestResolver(t).Inspect(context.Background(), host+"/x/nested:1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Index || len(got.Images) != 3 {
		t.Fatalf("nested index: %+v, want its 3 images", got)
	}
	for _, img := range got.Images {
		if img.Platform != "linux/amd64" || img.Size <= 0 || img.Layers != 1 {
			t.Errorf("image %+v", img)
		}
	}
}

// TestInspectLimits: what a registry serves cannot make inspect fetch
// without bound.
func TestInspectLimits(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	r := newTestResolver(t)

	if err := remote.WriteIndex(mustRef(t, host+"/x/wide:1"), indexOf(t, MaxPlatforms+1)); err != nil {
		t.Fatal(err)
	}
	// Three levels of indexes.
	deep := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: indexOf(t, 1)})})
	if err := remote.WriteIndex(mustRef(t, host+"/x/deep:1"), deep); err != nil {
		t.Fatal(err)
	}
	// A manifest whose config claims more than MaxConfigSize.
	img, err := random.Image(16, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	m = m.DeepCopy()
	m.Config.Size = MaxConfigSize + 1
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(mustRef(t, host+"/x/big:1"), rawManifest{b: b, mt: m.MediaType}); err != nil {
		t.Fatal(err)
	}

	for ref, want := range map[string]string{
		host + "/x/wide:1": "lists 65 manifests, more than 64",
		host + "/x/deep:1": "nests indexes deeper than 2",
		host + "/x/big:1":  "the limit is 8388608",
	} {
		_, err := r.Inspect(context.Background(), ref)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "registry "+host) {
			t.Errorf("%s: err = %v, want one starting with the registry and saying %q", ref, err, want)
		}
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
