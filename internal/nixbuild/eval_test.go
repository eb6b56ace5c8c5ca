package nixbuild

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// flakeRepo writes flake.nix (with the fixture images beside it) into a
// new git repository, its files added, and returns the directory.
func flakeRepo(t *testing.T, flake string) string {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	copyDir(t, fixturesDir, filepath.Join(dir, "oci-images"))
	writeFile(t, filepath.Join(dir, "flake.nix"), flake)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// evalFlake is a flake with an image per Linux system, one in images, an
// image without imageTag, plain derivations, a package that throws, a
// darwin system and a legacyPackages set too large to search. abortExpr
// goes into one package: "null" or an expression that escapes tryEval.
func evalFlake(abortExpr string) string {
	return `{
  outputs = { self }:
    let
      image = system: import ./oci-images/backup-toolbox.nix { inherit system; };
      plain = system: derivation { name = "plain"; inherit system; builder = "/bin/sh"; };
      per = system: {
        toolbox = image system;
        plain = plain system;
        broken = throw "this package is broken";
        notag = (image system).drvAttrs // { imageTag = null; };
        odd = ` + abortExpr + `;
      };
    in {
      packages.x86_64-linux = per "x86_64-linux";
      packages.aarch64-linux = { toolbox = image "aarch64-linux"; };
      packages.aarch64-darwin = { toolbox = image "x86_64-linux"; };
      images.x86_64-linux.mcpo = import ./oci-images/mcpo.nix { system = "x86_64-linux"; };
      legacyPackages.x86_64-linux = builtins.listToAttrs (builtins.genList (i: { name = "p${toString i}"; value = i; }) 1001);
    };
}
`
}

func TestEvalFlakeImages(t *testing.T) {
	b := testBuilder(t)
	for _, tc := range []struct {
		name, odd string
		oddAttr   FlakeAttr
	}{
		{"one evaluation", "null", FlakeAttr{Output: "packages", System: "x86_64-linux", Name: "odd"}},
		// abort escapes tryEval: each attribute is then evaluated alone.
		{"one by one", `abort "odd is aborted"`, FlakeAttr{Output: "packages", System: "x86_64-linux", Name: "odd",
			Err: "error: evaluation aborted with the following error message: 'odd is aborted'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := flakeRepo(t, evalFlake(tc.odd))
			got, err := b.EvalFlakeImages(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			wantSets := []FlakeSet{
				{Output: "packages", System: "aarch64-darwin", Attrs: 1, Skipped: "no OCI platform for this Nix system"},
				{Output: "packages", System: "aarch64-linux", Attrs: 1},
				{Output: "packages", System: "x86_64-linux", Attrs: 5},
				{Output: "legacyPackages", System: "x86_64-linux", Attrs: 1001, Skipped: "more than 1000 attributes (a package set such as nixpkgs?); not searched"},
				{Output: "images", System: "x86_64-linux", Attrs: 1},
			}
			if diff := cmp.Diff(wantSets, got.Sets); diff != "" {
				t.Errorf("sets (-want +got):\n%s", diff)
			}
			wantAttrs := []FlakeAttr{
				{Output: "packages", System: "aarch64-linux", Name: "toolbox", IsImage: true, ImageName: "backup-toolbox", ImageTag: "1.0.0", HasTag: true},
				{Output: "packages", System: "x86_64-linux", Name: "broken", Err: "does not evaluate (it throws, or an assertion fails)"},
				{Output: "packages", System: "x86_64-linux", Name: "notag", IsImage: true, ImageName: "backup-toolbox"},
				tc.oddAttr,
				{Output: "packages", System: "x86_64-linux", Name: "plain"},
				{Output: "packages", System: "x86_64-linux", Name: "toolbox", IsImage: true, ImageName: "backup-toolbox", ImageTag: "1.0.0", HasTag: true},
				{Output: "images", System: "x86_64-linux", Name: "mcpo", IsImage: true, ImageName: "mcpo", ImageTag: "latest", HasTag: true},
			}
			if diff := cmp.Diff(wantAttrs, got.Attrs); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalFlakeImagesBrokenFlake(t *testing.T) {
	b := testBuilder(t)
	dir := flakeRepo(t, "{ outputs = { self }: { packages = ; }; }\n")
	_, err := b.EvalFlakeImages(context.Background(), dir)
	if err == nil || !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "syntax error") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want a bad-input error naming the flake with Nix's syntax error", err)
	}
}
