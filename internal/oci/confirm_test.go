package oci

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// TestResolveRefusesNonManifest: a 200 answer is pinned only when it is an
// image manifest or index. A mirror answering every request with a web
// page (a captive portal, a web UI at the wrong URL) once had the page's
// hash pinned for every image.
func TestResolveRefusesNonManifest(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"HTML page", "text/html; charset=utf-8", "<html><body>Sign in to the Wi-Fi</body></html>", "text/html (not a manifest media type); a web page or a proxy"},
		{"JSON that is no manifest", "application/json", `{"ok":true}`, "application/json (not a manifest media type)"},
		{"manifest type, other JSON", "application/vnd.oci.image.manifest.v1+json", `{"status":"ok"}`, "(no schemaVersion)"},
		{"schema 1", "application/vnd.oci.image.manifest.v1+json", `{"schemaVersion":1,"name":"x"}`, "schemaVersion 1"},
		{"manifest without layers", "application/vnd.oci.image.manifest.v1+json", `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}`, "without config and layers"},
		{"index type, manifest body", "application/vnd.oci.image.index.v1+json", `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}`, "the body says application/vnd.oci.image.manifest.v1+json"},
		{"empty", "application/vnd.oci.image.manifest.v1+json", "", "(empty)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, faults := startFaulty(t)
			ref := host + "/x/y:1"
			registry.PushRandom(t, ref, false)
			faults.Reset()
			faults.ServeBody(tt.contentType, tt.body)
			res := newTestResolver(t).ResolveOne(context.Background(), ref)
			if !errors.Is(res.Err, ErrNotManifest) {
				t.Fatalf("Resolve = %+v, want ErrNotManifest", res)
			}
			if res.Digest != "" {
				t.Errorf("digest %q on error", res.Digest)
			}
			for _, w := range []string{"registry " + host, tt.want} {
				if !strings.Contains(res.Err.Error(), w) {
					t.Errorf("error %q lacks %q", res.Err, w)
				}
			}
		})
	}
}

// TestConfirm: a new digest is written only after a GET by digest shows
// the registry has it (bytes that hash to it, a manifest), and, for an
// index, a HEAD shows every manifest it lists is there.
func TestConfirm(t *testing.T) {
	t.Run("image and index", func(t *testing.T) {
		host, faults := startFaulty(t)
		img, idx := host+"/x/img:1", host+"/x/idx:1"
		registry.PushRandom(t, img, false)
		registry.PushRandom(t, idx, true)
		faults.Reset()
		r := newTestResolver(t)
		res, err := r.Resolve(context.Background(), []string{img, idx})
		if err != nil {
			t.Fatal(err)
		}
		faults.Reset()
		if err := r.Confirm(context.Background(), map[string]string{img: res[0].Digest, idx: res[1].Digest}); err != nil {
			t.Fatal(err)
		}
		// One GET each, and a HEAD for each of the index's two platforms.
		if g, h := faults.Count("GET"), faults.Count("HEAD"); g != 2 || h != 2 {
			t.Errorf("confirming made %d GET and %d HEAD, want 2 and 2", g, h)
		}
	})
	t.Run("no second GET after a GET", func(t *testing.T) {
		host, faults := startFaulty(t)
		ref := host + "/x/img:1"
		d := registry.PushRandom(t, ref, false)
		faults.DropHeadDigest()
		r := newTestResolver(t)
		if res := r.ResolveOne(context.Background(), ref); res.Err != nil || res.Digest != d {
			t.Fatalf("Resolve = %+v", res)
		}
		faults.Reset()
		if err := r.Confirm(context.Background(), map[string]string{ref: d}); err != nil {
			t.Fatal(err)
		}
		if n := faults.Total(); n != 0 {
			t.Errorf("confirming a manifest already fetched made %d requests", n)
		}
	})
	t.Run("HEAD claims a digest the registry does not have", func(t *testing.T) {
		host, faults := startFaulty(t)
		ref := host + "/x/img:1"
		registry.PushRandom(t, ref, false)
		bogus := "sha256:" + strings.Repeat("e", 64)
		faults.HeadDigest(bogus)
		r := newTestResolver(t)
		res := r.ResolveOne(context.Background(), ref)
		if res.Err != nil || res.Digest != bogus {
			t.Fatalf("Resolve = %+v, want the HEAD's digest (nothing to hash)", res)
		}
		err := r.Confirm(context.Background(), map[string]string{ref: res.Digest})
		if !errors.Is(err, ErrNotConfirmed) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("Confirm = %v, want ErrNotConfirmed and ErrNotFound", err)
		}
		if !strings.Contains(err.Error(), `confirming "`+ref+`" at `+bogus) {
			t.Errorf("error %q does not name the reference and digest", err)
		}
	})
	t.Run("index with a missing platform", func(t *testing.T) {
		host, faults := startFaulty(t)
		ref := host + "/x/idx:1"
		d := registry.PushRandom(t, ref, true)
		// Delete one platform's manifest; the index stays.
		r0 := newTestResolver(t)
		res := r0.ResolveOne(context.Background(), ref)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		tag, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := remote.Index(tag)
		if err != nil {
			t.Fatal(err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		child := m.Manifests[1].Digest.String()
		if err := remote.Delete(tag.Context().Digest(child)); err != nil {
			t.Fatal(err)
		}
		faults.Reset()
		err = newTestResolver(t).Confirm(context.Background(), map[string]string{ref: d})
		if !errors.Is(err, ErrNotConfirmed) || !strings.Contains(err.Error(), "the index lists "+child) {
			t.Fatalf("Confirm = %v, want ErrNotConfirmed naming %s", err, child)
		}
	})
	t.Run("web page instead of the manifest", func(t *testing.T) {
		host, faults := startFaulty(t)
		ref := host + "/x/img:1"
		d := registry.PushRandom(t, ref, false)
		faults.ServeBody("text/html", "<html></html>")
		err := newTestResolver(t).Confirm(context.Background(), map[string]string{ref: d})
		if !errors.Is(err, ErrNotConfirmed) {
			t.Fatalf("Confirm = %v, want ErrNotConfirmed", err)
		}
	})
}
