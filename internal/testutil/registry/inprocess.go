// Package registry starts container registries for tests: go-containerregistry's
// in-process registry (optionally behind fault-injecting handlers) and the
// CNCF distribution registry as a child process, and pushes random images to
// them.
package registry

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Server is a running registry.
type Server struct {
	// Host is "127.0.0.1:PORT".
	Host string
	stop func()
	once sync.Once
}

// Stop stops the registry; later requests fail with "connection refused".
// It is safe to call more than once, and t.Cleanup calls it anyway.
func (s *Server) Stop() { s.once.Do(s.stop) }

// StartInProcess serves go-containerregistry's pkg/registry on a loopback
// port, wrapped by the given handlers (the first is outermost), for example
// NewFaults().Wrap. It returns the host ("127.0.0.1:PORT") and a handle.
func StartInProcess(t testing.TB, wrappers ...func(http.Handler) http.Handler) (string, *Server) {
	t.Helper()
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(discardLogger()))
	for i := len(wrappers) - 1; i >= 0; i-- {
		h = wrappers[i](h)
	}
	srv := httptest.NewServer(h)
	s := &Server{Host: strings.TrimPrefix(srv.URL, "http://"), stop: srv.Close}
	t.Cleanup(s.Stop)
	return s.Host, s
}

// PushRandom pushes a random image (or, with index, a random two-platform
// index) to ref, e.g. "127.0.0.1:5000/x/y:1", and returns its digest: for an
// index, the index's own digest.
func PushRandom(t testing.TB, ref string, index bool) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("parsing reference %q: %v", ref, err)
	}
	var d v1.Hash
	if index {
		idx, err := random.Index(256, 1, 2)
		if err != nil {
			t.Fatalf("making random index: %v", err)
		}
		if err := remote.WriteIndex(r, idx); err != nil {
			t.Fatalf("pushing index to %q: %v", ref, err)
		}
		d, err = idx.Digest()
		if err != nil {
			t.Fatalf("hashing index: %v", err)
		}
		return d.String()
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatalf("making random image: %v", err)
	}
	return PushImage(t, ref, img)
}

// PushImage pushes img to ref and returns its digest.
func PushImage(t testing.TB, ref string, img v1.Image) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("parsing reference %q: %v", ref, err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("pushing image to %q: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("hashing image: %v", err)
	}
	return d.String()
}

// Image is a random image created at the given time, with labels: what
// policies read (min_age, release notes).
func Image(t testing.TB, created time.Time, labels map[string]string) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatalf("making random image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("reading config: %v", err)
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: created}
	cf.Config.Labels = labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("setting config: %v", err)
	}
	return img
}

// PushIndex pushes an index of the images, one platform each
// (linux/amd64, linux/arm64, ...), to ref and returns its digest.
func PushIndex(t testing.TB, ref string, imgs ...v1.Image) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("parsing reference %q: %v", ref, err)
	}
	archs := []string{"amd64", "arm64", "arm", "s390x"}
	var idx v1.ImageIndex = empty.Index
	for i, img := range imgs {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: archs[i%len(archs)]}}})
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatalf("pushing index to %q: %v", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatalf("hashing index: %v", err)
	}
	return d.String()
}
