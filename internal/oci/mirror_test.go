package oci

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestMirrorRef(t *testing.T) {
	mirrors := map[string]string{
		"docker.io":       "http://127.0.0.1:5000/hub",
		"ghcr.io":         "http://127.0.0.1:5000/ghcr.io",
		"quay.io":         "https://mirror.example.com/quay/",
		"registry.k8s.io": "http://[::1]:5000",
		"gcr.io":          "http://localhost:5000/gcr",
		"lan.example":     "http://cache.lan:5000/lan",
	}
	d := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		ref, want, scheme string
		insecure          []string
		err               error
	}{
		{ref: "busybox:1.37", want: "127.0.0.1:5000/hub/library/busybox:1.37", scheme: "http"},
		{ref: "busybox", want: "127.0.0.1:5000/hub/library/busybox:latest", scheme: "http"},
		{ref: "docker.io/library/busybox:1.37", want: "127.0.0.1:5000/hub/library/busybox:1.37", scheme: "http"},
		{ref: "index.docker.io/grafana/grafana:11", want: "127.0.0.1:5000/hub/grafana/grafana:11", scheme: "http"},
		{ref: "ghcr.io/x/y:1", want: "127.0.0.1:5000/ghcr.io/x/y:1", scheme: "http"},
		{ref: "ghcr.io/x/y@" + d, want: "127.0.0.1:5000/ghcr.io/x/y@" + d, scheme: "http"},
		{ref: "quay.io/a/b:2", want: "mirror.example.com/quay/a/b:2", scheme: "https"},
		{ref: "registry.k8s.io/pause:3.9", want: "[::1]:5000/pause:3.9", scheme: "http"},
		{ref: "gcr.io/p/q:1", want: "localhost:5000/gcr/p/q:1", scheme: "http"},
		{ref: "example.org/z:1", want: "example.org/z:1", scheme: "https"},
		{ref: "example.org/z:1", want: "example.org/z:1", scheme: "http", insecure: []string{"example.org"}},
		{ref: "example.org:5000/z:1", want: "example.org:5000/z:1", scheme: "http", insecure: []string{"example.org:5000"}},
		{ref: "example.org:5000/z:1", want: "example.org:5000/z:1", scheme: "https", insecure: []string{"example.org:6000"}},
		{ref: "lan.example/z:1", err: ErrInsecureHTTP},
		{ref: "lan.example/z:1", want: "cache.lan:5000/lan/z:1", scheme: "http", insecure: []string{"cache.lan"}},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			ref, err := name.ParseReference(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := MirrorRef(ref, mirrors, tc.insecure)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("MirrorRef(%s) error = %v, want %v", tc.ref, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want || got.Context().Scheme() != tc.scheme {
				t.Errorf("MirrorRef(%s) = %s (%s), want %s (%s)", tc.ref, got, got.Context().Scheme(), tc.want, tc.scheme)
			}
		})
	}
}

func TestWithMirrorsRejectsBadURLs(t *testing.T) {
	for _, base := range []string{
		"ftp://mirror/x",
		"127.0.0.1:5000/x",
		"http:///x",
		"http://user:hunter2@mirror/x",
		"http://mirror/x?y=1",
	} {
		_, err := NewResolver(WithMirrors(map[string]string{"ghcr.io": base}))
		if err == nil {
			t.Errorf("WithMirrors(%q) accepted", base)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q leaks the password", err)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:5000": true, "127.9.9.9": true, "[::1]:5000": true, "::1": true,
		"localhost": true, "LOCALHOST:80": true, "10.0.0.1:5000": false,
		"example.com": false, "128.0.0.1": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
