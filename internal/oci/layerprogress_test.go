package oci_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// layerEvents records LayerProgress events.
type layerEvents struct {
	mu     sync.Mutex
	events []oci.LayerProgress
}

func (e *layerEvents) add(p oci.LayerProgress) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, p)
}

// finals returns each layer's final event, failing on a layer with more
// than one or an event after it.
func (e *layerEvents) finals(t *testing.T) map[v1.Hash]oci.LayerProgress {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[v1.Hash]oci.LayerProgress{}
	for _, ev := range e.events {
		if _, ok := out[ev.Digest]; ok {
			t.Errorf("event after the final one for %s: %+v", ev.Digest, ev)
		}
		if ev.Done && ev.Skipped {
			t.Errorf("both done and skipped: %+v", ev)
		}
		if ev.Done || ev.Skipped {
			out[ev.Digest] = ev
		}
	}
	e.events = nil
	return out
}

func layerSizes(t *testing.T, img v1.Image) map[v1.Hash]int64 {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	out := map[v1.Hash]int64{}
	for _, l := range ls {
		d, _ := l.Digest()
		out[d], _ = l.Size()
	}
	return out
}

// checkFinals: one final event per layer, Done with every byte, or (with
// skipped) Skipped with none.
func checkFinals(t *testing.T, got map[v1.Hash]oci.LayerProgress, want map[v1.Hash]int64, repo string, skipped bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d layers reported, want %d: %+v", len(got), len(want), got)
	}
	for d, size := range want {
		ev, ok := got[d]
		switch {
		case !ok:
			t.Errorf("layer %s: no final event", d)
		case ev.Repository != repo || ev.Total != size:
			t.Errorf("layer %s: %+v, want repository %s, total %d", d, ev, repo, size)
		case skipped && (!ev.Skipped || ev.Complete != 0):
			t.Errorf("layer %s: %+v, want skipped", d, ev)
		case !skipped && (!ev.Done || ev.Complete != size):
			t.Errorf("layer %s: %+v, want done with %d bytes", d, ev, size)
		}
	}
}

// A push reports each layer once, complete; a second push of the same
// image reports every layer skipped.
func TestPublishLayerProgressRegistry(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	img, err := random.Image(3<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := layerSizes(t, img)
	repo := host + "/x/layers"
	p := newPublisher(t, oci.WithInsecure([]string{host}))
	var ev layerEvents
	req := oci.Request{Repository: repo, Tags: []string{"1", "latest"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add}
	if _, err := p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	checkFinals(t, ev.finals(t), want, repo, false)

	if _, err := p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	checkFinals(t, ev.finals(t), want, repo, true)
}

// An upload reset midway is retried from the start: the count restarts
// and the layer still ends done once.
func TestPublishLayerProgressRetried(t *testing.T) {
	// The first PATCH carrying more than 64 KiB (the layer's, not the
	// config's) reads that much, then the connection is reset.
	var resets atomic.Int32
	host, _ := registry.StartInProcess(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch {
				head := make([]byte, 64<<10)
				n, _ := io.ReadFull(r.Body, head)
				if n == len(head) && resets.Add(1) == 1 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err != nil {
						panic(err)
					}
					if tc, ok := conn.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					conn.Close()
					return
				}
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(head[:n]), r.Body))
			}
			next.ServeHTTP(w, r)
		})
	})
	img, err := random.Image(8<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	repo := host + "/x/retried"
	p := newPublisher(t, oci.WithInsecure([]string{host}))
	var ev layerEvents
	req := oci.Request{Repository: repo, Tags: []string{"1"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add}
	if _, err := p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if resets.Load() < 2 {
		t.Fatalf("%d large PATCH requests; the layer was not sent again", resets.Load())
	}
	ev.mu.Lock()
	restarted := false
	var last int64
	for _, e := range ev.events {
		if e.Complete < last {
			restarted = true
		}
		last = e.Complete
	}
	ev.mu.Unlock()
	if !restarted {
		t.Error("the count never restarted")
	}
	checkFinals(t, ev.finals(t), layerSizes(t, img), repo, false)
}

// The OCI layout publisher reports layers the same way, and skips the
// blobs the layout has; a layer shared by two platforms is reported once.
func TestPublishLayerProgressLayout(t *testing.T) {
	img, err := random.Image(1<<20, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := layerSizes(t, img)
	p, err := oci.NewLayoutPublisher(filepath.Join(t.TempDir(), "layout"))
	if err != nil {
		t.Fatal(err)
	}
	repo := "ghcr.io/x/layers"
	var ev layerEvents
	if _, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"1"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add}); err != nil {
		t.Fatal(err)
	}
	checkFinals(t, ev.finals(t), want, repo, false)

	// The same tag again: nothing is written.
	if _, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"1"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add}); err != nil {
		t.Fatal(err)
	}
	checkFinals(t, ev.finals(t), want, repo, true)

	// Another tag of the same image: every blob is there.
	if _, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"2"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add}); err != nil {
		t.Fatal(err)
	}
	checkFinals(t, ev.finals(t), want, repo, true)

	// Two platforms sharing img's layers plus one new layer each.
	var imgs []oci.PlatformImage
	for _, plat := range []string{"linux/amd64", "linux/arm64"} {
		extra, err := random.Layer(1000, "application/vnd.oci.image.layer.v1.tar+gzip")
		if err != nil {
			t.Fatal(err)
		}
		pi, err := mutate.AppendLayers(img, extra)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := pi.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		os, arch, _ := strings.Cut(plat, "/")
		cf.OS, cf.Architecture = os, arch
		if pi, err = mutate.ConfigFile(pi, cf); err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, oci.PlatformImage{Platform: plat, Image: pi})
	}
	art, err := oci.NewArtifact(imgs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background(), oci.Request{Repository: repo, Tags: []string{"3"}, Artifact: art, LayerProgress: ev.add}); err != nil {
		t.Fatal(err)
	}
	finals := ev.finals(t)
	if len(finals) != len(want)+2 {
		t.Errorf("%d layers reported, want %d", len(finals), len(want)+2)
	}
	for d, f := range finals {
		if _, shared := want[d]; shared != f.Skipped || (f.Done && f.Complete != f.Total) {
			t.Errorf("layer %s (shared %v): %+v", d, shared, f)
		}
	}
}

// A failed publication sends no final
// events.
func TestPublishLayerProgressFailure(t *testing.T) {
	host, srv := registry.StartInProcess(t)
	srv.Stop()
	img, err := random.Image(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	var ev layerEvents
	p := newPublisher(t, oci.WithInsecure([]string{host}))
	_, err = p.Publish(context.Background(), oci.Request{Repository: host + "/x/y", Tags: []string{"1"}, Artifact: oci.Artifact{Image: img}, LayerProgress: ev.add})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if f := ev.finals(t); len(f) != 0 {
		t.Errorf("final events after a failure: %+v", f)
	}
}
