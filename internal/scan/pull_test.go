package scan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPullHash keeps the position of a pulled image's hash on its site,
// in whichever key the call binds it, so that update can rewrite it.
func TestPullHash(t *testing.T) {
	for _, tc := range []struct{ src, key, hash string }{
		{`{ pkgs }: { p = pkgs.dockerTools.pullImage { imageName = "a/b"; imageDigest = "sha256:` + hexA + `"; hash = "sha256-AAAA="; }; }`, "hash", "sha256-AAAA="},
		{`{ pullImage }: { p = pullImage { imageName = "a/b"; sha256 = "0abc"; imageDigest = "sha256:` + hexA + `"; }; }`, "sha256", "0abc"},
		{`{ pullImage }: let h = "0def"; in { p = pullImage { imageName = "a/b"; imageDigest = "sha256:` + hexA + `"; sha256 = h; }; }`, "sha256", "0def"},
	} {
		sites := File(parse(t, tc.src))
		if len(sites) != 1 || sites[0].Edit.Pull == nil {
			t.Fatalf("%s: sites %+v", tc.src, sites)
		}
		pe := sites[0].Edit.Pull
		if fn := tc.src[pe.Func.Start:pe.Func.End]; fn != "pkgs.dockerTools.pullImage" && fn != "pullImage" {
			t.Errorf("%s: function %q", tc.src, fn)
		}
		if pe.HashKey != tc.key || pe.Hash == nil || pe.Hash.Value != tc.hash || tc.src[pe.Hash.Span.Start:pe.Hash.Span.End] != tc.hash {
			t.Errorf("%s: hash %q %+v", tc.src, pe.HashKey, pe.Hash)
		}
	}
}

// TestPullNotEditable: a pull site whose hash, or another argument the
// hash depends on, is not written in the file cannot be updated; the
// arguments it can pass on are kept, as written.
func TestPullNotEditable(t *testing.T) {
	for _, tc := range []struct{ name, src, reason string }{
		{"hash from a function argument", `{ pullImage, h }: { p = pullImage { imageName = "a/b"; imageDigest = "sha256:` + hexA + `"; sha256 = h; }; }`, "its hash is not a string of this file"},
		{"arch from a function argument", `{ pullImage, system }: { p = pullImage { imageName = "a/b"; imageDigest = "sha256:` + hexA + `"; sha256 = "x"; arch = system; }; }`, "its argument arch is not a string or boolean"},
		{"nix2container", `{ nix2container }: { p = nix2container.pullImage { imageName = "a/b"; imageDigest = "sha256:` + hexA + `"; sha256 = "x"; }; }`, "nix2container_pull_function"},
	} {
		sites := File(parse(t, tc.src))
		if len(sites) != 1 || sites[0].Editable || !strings.Contains(sites[0].Reason, tc.reason) {
			t.Errorf("%s: sites %+v", tc.name, sites)
		}
	}
	sites := File(parse(t, `{ nix2container }: let a = "arm64"; in { p = nix2container.pullImage { imageName = "a/b"; imageDigest = "sha256:`+hexA+`"; hash = "x"; arch = a; tlsVerify = false; os = "linux"; }; }`))
	if len(sites) != 1 || sites[0].Edit.Pull == nil {
		t.Fatalf("sites %+v", sites)
	}
	pe := sites[0].Edit.Pull
	want := map[string]any{"arch": "arm64", "tlsVerify": false, "os": "linux"}
	if diff := cmp.Diff(want, pe.Args); diff != "" || !pe.Nix2container || pe.TagWritten {
		t.Errorf("args (-want +got):\n%s\n%+v", diff, pe)
	}
	AllowNix2container(sites)
	if !sites[0].Editable || sites[0].Reason != "" {
		t.Errorf("with a nix2container function: %+v", sites[0])
	}
}
