package cli

import (
	"github.com/pinner-dev/pinner/internal/outdated"

	"github.com/pinner-dev/pinner/internal/progress"

	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/oci"
)

// pushedDigests looks up, straight from outdatedRepo's registry, the
// digest a reference ("ghcr.io/x/app:2.0.0", normalised) names there.
func pushedDigests(t *testing.T, host string) func(string) string {
	mirrors := mirrorsFor(host)
	return func(ref string) string {
		t.Helper()
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		target, err := oci.MirrorRef(r, mirrors, nil)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Head(target)
		if err != nil {
			t.Fatalf("looking up %s: %v", ref, err)
		}
		return desc.Digest.String()
	}
}

// TestOutdatedReferences: arguments that are not files or directories are
// references, compared like sites (an ignored one too: naming it asks for
// it), listed with "-" for their location and the digest of the newest tag.
func TestOutdatedReferences(t *testing.T) {
	const nopol = "no policy moves this tag"
	dir, host := outdatedRepo(t)
	d := pushedDigests(t, host)
	b := filepath.Join("modules", "kubenix", "apps", "b.nix")
	code, out, stderr := run(t, dir, "outdated", "--json", "busybox:1.36", b, "ghcr.io/x/ignored:1.0.0", "ghcr.io/x/app:2.0.0")
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr)
	}
	var got []outdated.Entry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := []outdated.Entry{
		{File: "", Line: 0, Ref: "busybox:1.36", Current: "1.36", Latest: "1.38", Digest: d("docker.io/library/busybox:1.38"), Class: "minor", Held: nopol},
		{File: "", Line: 0, Ref: "ghcr.io/x/ignored:1.0.0", Current: "1.0.0", Latest: "9.0.0", Digest: d("ghcr.io/x/ignored:9.0.0"), Class: "major", Held: nopol},
		{File: b, Line: 6, Ref: "ghcr.io/x/app:1.1.0", Current: "1.1.0", Latest: "2.0.0", Digest: d("ghcr.io/x/app:2.0.0"), Class: "major", Held: nopol},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outdated (-want +got):\n%s", diff)
	}

	code, out, _ = run(t, dir, "outdated", "busybox:1.37")
	if code != 0 || !strings.HasPrefix(strings.Split(out, "\n")[1], "-  ") || !strings.Contains(out, progress.Abbrev(d("docker.io/library/busybox:1.38"))) {
		t.Errorf("table for a reference: exit %d\n%s", code, out)
	}

	for _, tc := range []struct{ arg, want string }{
		{"modules/kubenix/apps/missing.nix", `"modules/kubenix/apps/missing.nix" is neither an existing file or directory nor an image reference with a version tag`},
		{"busybox", `"busybox" is neither an existing file or directory nor an image reference with a version tag`},
		{"Not A Ref:1", "neither an existing file or directory nor an image reference"},
		{"busybox:latest", `reference "busybox:latest": tag "latest" is not a version`},
		{"busybox:1.37@sha256:" + strings.Repeat("a", 64), "has a digest: outdated compares tags"},
	} {
		code, out, stderr := run(t, dir, "outdated", tc.arg)
		if code != ExitBadInput || !strings.Contains(stderr, tc.want) || out != "" {
			t.Errorf("outdated %q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.arg, code, out, stderr, tc.want)
		}
	}
}
