package registry

import (
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestInProcessFaults(t *testing.T) {
	f := NewFaults()
	host, srv := StartInProcess(t, f.Wrap)
	t.Cleanup(f.Release)
	ref := host + "/x/y:1"
	want := PushRandom(t, ref, true)
	f.Reset()

	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != want {
		t.Errorf("HEAD digest = %s, want %s", desc.Digest, want)
	}
	f.FailN(http.StatusTeapot, 1)
	if _, err := remote.Head(r); err == nil {
		t.Error("HEAD succeeded through FailN")
	}
	f.DropHeadDigest()
	if _, err := remote.Head(r); err == nil {
		t.Error("HEAD without Docker-Content-Digest succeeded")
	}
	if h, g := f.Count("HEAD"), f.Count("GET"); h != 3 || g != 0 {
		t.Errorf("counts HEAD=%d GET=%d, want 3 and 0", h, g)
	}

	srv.Stop()
	srv.Stop() // idempotent
	if _, err := remote.Head(r); err == nil {
		t.Error("HEAD succeeded after Stop")
	}
}

func TestStartDistribution(t *testing.T) {
	if testing.Short() {
		t.Skip("starts docker-registry")
	}
	host, srv := StartDistribution(t)
	ref := host + "/x/y:1"
	want := PushRandom(t, ref, false)
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != want {
		t.Errorf("digest = %s, want %s", desc.Digest, want)
	}
	srv.Stop()
	if resp, err := http.Get("http://" + host + "/v2/"); err == nil {
		resp.Body.Close()
		t.Error("registry still answers after Stop")
	}
}
