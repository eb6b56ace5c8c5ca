package imageref

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
)

const hex64 = "08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb"

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		want       Ref
		normalized string
		context    string
	}{
		{
			in:         "busybox:1.37",
			want:       Ref{Written: "busybox:1.37", Repository: "busybox", Tag: "1.37"},
			normalized: "docker.io/library/busybox:1.37",
			context:    "docker.io/library/busybox",
		},
		{
			in:         "busybox",
			want:       Ref{Written: "busybox", Repository: "busybox"},
			normalized: "docker.io/library/busybox:latest",
			context:    "docker.io/library/busybox",
		},
		{
			in:         "docker.io/bitnami/redis:7.2",
			want:       Ref{Written: "docker.io/bitnami/redis:7.2", Repository: "docker.io/bitnami/redis", Tag: "7.2"},
			normalized: "docker.io/bitnami/redis:7.2",
			context:    "docker.io/bitnami/redis",
		},
		{
			in:         "index.docker.io/nginx",
			want:       Ref{Written: "index.docker.io/nginx", Repository: "index.docker.io/nginx"},
			normalized: "docker.io/library/nginx:latest",
			context:    "docker.io/library/nginx",
		},
		{
			in:         "ghcr.io/josevictorferreira/backup-toolbox@sha256:" + hex64,
			want:       Ref{Written: "ghcr.io/josevictorferreira/backup-toolbox@sha256:" + hex64, Repository: "ghcr.io/josevictorferreira/backup-toolbox", Digest: "sha256:" + hex64},
			normalized: "ghcr.io/josevictorferreira/backup-toolbox@sha256:" + hex64,
			context:    "ghcr.io/josevictorferreira/backup-toolbox",
		},
		{
			in:         "ghcr.io/x/mcpo:latest@sha256:" + hex64,
			want:       Ref{Written: "ghcr.io/x/mcpo:latest@sha256:" + hex64, Repository: "ghcr.io/x/mcpo", Tag: "latest", Digest: "sha256:" + hex64},
			normalized: "ghcr.io/x/mcpo:latest@sha256:" + hex64,
			context:    "ghcr.io/x/mcpo",
		},
		{
			in:         "localhost:5000/a/b:0.12.6-1-g7f551c4-dirty-rocm",
			want:       Ref{Written: "localhost:5000/a/b:0.12.6-1-g7f551c4-dirty-rocm", Repository: "localhost:5000/a/b", Tag: "0.12.6-1-g7f551c4-dirty-rocm"},
			normalized: "localhost:5000/a/b:0.12.6-1-g7f551c4-dirty-rocm",
			context:    "localhost:5000/a/b",
		},
		{
			in:         "postgres:16",
			want:       Ref{Written: "postgres:16", Repository: "postgres", Tag: "16"},
			normalized: "docker.io/library/postgres:16",
			context:    "docker.io/library/postgres",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			if n := got.Normalized(); n != tt.normalized {
				t.Errorf("Normalized() = %q, want %q", n, tt.normalized)
			}
			if c := got.Context(); c != tt.context {
				t.Errorf("Context() = %q, want %q", c, tt.context)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		" busybox:1",
		"busybox:1 ",
		"Busybox:1",
		"ghcr.io/x/y@sha256:abc",
		"ghcr.io/x/y@sha256:" + strings.ToUpper(hex64),
		"ghcr.io/x/y@sha512:" + hex64 + hex64,
		"ghcr.io/x/y@sha256:" + hex64 + "@sha256:" + hex64,
		"ghcr.io/x/y:",
		"ghcr.io/x/y:-bad",
		"oci://ghcr.io/x/chart",
		"https://charts.bitnami.com/bitnami",
		"/var/lib/postgresql",
		"./modules/x.nix",
		"~/x",
		"a//b",
		"a/b/",
		"x y",
		"app=backup",
		"ghcr.io/x/y:1.0:2",
	} {
		t.Run(in, func(t *testing.T) {
			r, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", in, r)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", in, err)
			}
		})
	}
}

func TestWithDigest(t *testing.T) {
	d := "sha256:" + hex64
	for in, want := range map[string]string{
		"busybox:1.37": "busybox:1.37@" + d,
		"busybox":      "busybox@" + d,
		"ghcr.io/x/y:v1@sha256:" + strings.Repeat("0", 64): "ghcr.io/x/y:v1@" + d,
		"docker.io/library/busybox:1":                      "docker.io/library/busybox:1@" + d,
	} {
		r, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.WithDigest(d); got != want {
			t.Errorf("Parse(%q).WithDigest = %q, want %q", in, got, want)
		}
	}
}

func TestRegistry(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":               "",
		"bitnami/redis:7":       "",
		"ghcr.io/x/y":           "ghcr.io",
		"localhost:5000/x":      "localhost:5000",
		"localhost/x":           "localhost",
		"docker.io/library/x:1": "docker.io",
	} {
		r, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Registry(); got != want {
			t.Errorf("Parse(%q).Registry() = %q, want %q", in, got, want)
		}
	}
}

func TestParseRepository(t *testing.T) {
	for _, ok := range []string{"ghcr.io/x/y", "bitnami/postgresql", "redis"} {
		if _, err := ParseRepository(ok); err != nil {
			t.Errorf("ParseRepository(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"https://charts.bitnami.com/bitnami", "oci://ghcr.io/x", "x:1", "x@sha256:" + hex64, ""} {
		if _, err := ParseRepository(bad); err == nil {
			t.Errorf("ParseRepository(%q) succeeded, want error", bad)
		}
	}
}

func TestIsHostPort(t *testing.T) {
	for in, want := range map[string]bool{
		"postgresql.default.svc:5432": true,
		"localhost:5432":              true,
		"127.0.0.1:1143":              true,
		"registry.lan:5000":           true,
		"postgres:16":                 false,
		"ghcr.io/x/y:1":               false,
		"localhost:5000/x":            false,
		"busybox":                     false,
		"a.b:c":                       false,
	} {
		if got := IsHostPort(in); got != want {
			t.Errorf("IsHostPort(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"busybox:1.37", "ghcr.io/x/y:v1@sha256:" + hex64, "ghcr.io/x/y@sha256:" + hex64,
		"localhost:5000/a", "oci://x/y", "postgresql.default.svc:5432", "/a/b", "a b", "@", ":", "a:b:c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if r.Written != s {
			t.Fatalf("Written = %q, want %q", r.Written, s)
		}
		back := r.Repository
		if r.Tag != "" {
			back += ":" + r.Tag
		}
		if r.Digest != "" {
			back += "@" + r.Digest
		}
		if back != s {
			t.Fatalf("reassembled %q from %+v, want %q", back, r, s)
		}
		if r.Digest != "" && !ValidDigest(r.Digest) {
			t.Fatalf("accepted digest %q", r.Digest)
		}
		// Parse skips name.NewDigest's own check of the digest: the
		// reference must still be one it accepts.
		if r.Digest != "" {
			if _, err := name.NewDigest(s); err != nil {
				t.Fatalf("accepted %q, which name.NewDigest rejects: %v", s, err)
			}
		}
		// Normalising must give something Parse accepts again, with the
		// same identity.
		n, err := Parse(r.Normalized())
		if err != nil {
			t.Fatalf("Parse(Normalized() = %q): %v", r.Normalized(), err)
		}
		if n.Context() != r.Context() {
			t.Fatalf("Context changed through Normalized: %q -> %q", r.Context(), n.Context())
		}
		if _, err := Parse(r.WithDigest("sha256:" + hex64)); err != nil {
			t.Fatalf("WithDigest result does not parse: %v", err)
		}
	})
}
