package plan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/nixbuild"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/testutil/pullfn"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// TestPullSiteRetagInsertsTag: a pulled image that writes no
// finalImageTag, moved to another tag (a policy's or an owned build's
// decision), gets a finalImageTag binding after imageDigest, indented like
// the set, with its new digest and the hash Nix computes for the call as
// it now reads; the file builds.
func TestPullSiteRetagInsertsTag(t *testing.T) {
	for _, b := range []string{"nix-instantiate", "nix-store", "nix-build", "skopeo"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
	t.Setenv("NIX_CONFIG", "substituters =\nsandbox = false")
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:latest", false)
	d2 := registry.PushRandom(t, host+"/x/app:1.1", false)
	fn := filepath.Join(t.TempDir(), "pull.nix")
	if err := os.WriteFile(fn, []byte(pullfn.StandIn), 0o644); err != nil {
		t.Fatal(err)
	}
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	src := `{ pull ? import ` + fn + ` }:
{
  app = pull {
    imageName = "` + host + `/x/app";
    imageDigest = "` + d1 + `";
    hash = "` + fake + `";
  };
}
`
	sites := sitesOf(t, src)
	hashes := func(ctx context.Context, reqs []PullRequest) ([]PullResult, error) {
		calls := make([]nixbuild.PullCall, len(reqs))
		for i, r := range reqs {
			calls[i] = nixbuild.PullCall{Func: fn, HashKey: r.Site.Edit.Pull.HashKey, Spelling: r.Site.Edit.Pull.Hash.Value,
				Args: map[string]any{"imageName": r.Site.Image.Repository, "imageDigest": r.Digest, "finalImageTag": r.Tag}}
		}
		got, err := nixbuild.PullHashes(ctx, "", calls)
		out := make([]PullResult, len(got))
		for i, g := range got {
			out[i] = PullResult{Hash: g.Hash, Err: g.Err}
		}
		return out, err
	}
	p, err := Make(context.Background(), sites, Options{
		ThirdParty: Fixed{host + "/x/app:1.1": d2},
		Move:       func(*scan.Site) string { return "1.1" },
		PullHash:   hashes,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || len(p.Notes) != 0 {
		t.Fatalf("files %d, notes %+v", len(p.Files), p.Notes)
	}
	got := string(p.Files[0].New)
	want := "    imageDigest = \"" + d2 + "\";\n    finalImageTag = \"1.1\";\n    hash = \"sha256-"
	if !strings.Contains(got, want) || strings.Contains(got, fake) {
		t.Fatalf("want\n%s\nin\n%s", want, got)
	}
	if len(p.Changes) != 1 || p.Changes[0].OldTag != "latest" || p.Changes[0].Tag != "1.1" {
		t.Errorf("changes: %+v", p.Changes)
	}
	mod := filepath.Join(t.TempDir(), "app.nix")
	if err := os.WriteFile(mod, p.Files[0].New, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("nix-build", "--no-out-link", "-A", "app", mod).CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated file: %v\n%s", err, b)
	}
}
