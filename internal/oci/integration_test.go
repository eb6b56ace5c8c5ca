package oci

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// Against the real CNCF distribution registry: what pinner resolves is what
// go-containerregistry pushed, one HEAD per distinct reference, through a
// mirror too; and a registry that goes away yields an error naming it.
func TestIntegrationDistribution(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts docker-registry")
	}
	host, reg := registry.StartDistribution(t)

	imgRef, idxRef := host+"/team/app:1.0.0", host+"/ghcr.io/x/multi:2"
	imgDigest := registry.PushRandom(t, imgRef, false)
	idxDigest := registry.PushRandom(t, idxRef, true)

	r := newTestResolver(t,
		WithMirrors(map[string]string{"ghcr.io": "http://" + host + "/ghcr.io"}),
		WithRetry(3, 10*time.Millisecond, 50*time.Millisecond),
		WithRequestTimeout(5*time.Second))
	refs := []string{imgRef, "ghcr.io/x/multi:2", idxRef, imgRef, imgRef + "@" + imgDigest}
	got, err := r.Resolve(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{imgDigest, idxDigest, idxDigest, imgDigest, imgDigest}
	for i := range refs {
		if got[i].Digest != want[i] {
			t.Errorf("%s: digest %s, want %s", refs[i], got[i].Digest, want[i])
		}
	}
	// "ghcr.io/x/multi:2" (mirrored) and idxRef name the same manifest but
	// are different references, so 3 lookups.
	if s := r.Stats(); s.Lookups != 3 || s.ManifestRequests != 3 {
		t.Errorf("Stats = %+v, want 3 lookups and 3 manifest requests", s)
	}

	reg.Stop()
	res := r.ResolveOne(context.Background(), host+"/team/app:1.0.1")
	if res.Err == nil {
		t.Fatal("resolved against a stopped registry")
	}
	if prefix := fmt.Sprintf("resolving %q: registry %s: ", host+"/team/app:1.0.1", host); !strings.HasPrefix(res.Err.Error(), prefix) {
		t.Errorf("error = %q, want prefix %q", res.Err, prefix)
	}
	t.Log(res.Err)
	res = r.ResolveOne(context.Background(), "ghcr.io/x/multi:3")
	if !strings.Contains(res.Err.Error(), fmt.Sprintf("registry ghcr.io (mirror %s): ", host)) {
		t.Errorf("error = %v, want it to name ghcr.io and the mirror", res.Err)
	}
	t.Log(res.Err)
	if errors.Is(res.Err, ErrNotFound) {
		t.Errorf("a stopped registry is not a missing tag: %v", res.Err)
	}
}
