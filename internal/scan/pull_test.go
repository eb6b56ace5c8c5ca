package scan

import "testing"

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
