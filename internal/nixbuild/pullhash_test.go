package nixbuild

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/pullfn"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func tools(t *testing.T) {
	t.Helper()
	for _, b := range []string{"nix-instantiate", "nix-store", "nix-build", "skopeo"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
	t.Setenv("NIX_CONFIG", "substituters =\nsandbox = false")
}

// TestPullHashes: the hash Nix reports for each call, in the file's
// spelling, is one a build with it succeeds with; a call that cannot be
// fetched has an error and no hash.
func TestPullHashes(t *testing.T) {
	tools(t)
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:1.0", false)
	d2 := registry.PushRandom(t, host+"/x/app:2.0", false)
	dir := t.TempDir()
	fn := filepath.Join(dir, "pull.nix")
	if err := os.WriteFile(fn, []byte(pullfn.StandIn), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(tag, d string) map[string]any {
		return map[string]any{"imageName": host + "/x/app", "imageDigest": d, "finalImageTag": tag}
	}
	reqs := []PullCall{
		{Func: fn, Args: args("1.0", d1), HashKey: "hash", Spelling: "sha256-xxx="},
		{Func: fn, Args: args("2.0", d2), HashKey: "sha256", Spelling: "0000000000000000000000000000000000000000000000000000"},
		{Func: fn, Args: args("3.0", "sha256:"+strings.Repeat("e", 64)), HashKey: "hash"},
	}
	res, err := PullHashes(context.Background(), "", reqs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res[0].Hash, "sha256-") || res[0].Err != nil {
		t.Errorf("SRI: %+v", res[0])
	}
	if len(res[1].Hash) != 52 || strings.Contains(res[1].Hash, "-") || res[1].Err != nil {
		t.Errorf("base32: %+v", res[1])
	}
	if res[2].Hash != "" || res[2].Err == nil {
		t.Errorf("missing image: %+v", res[2])
	}
	if res[0].Hash == res[1].Hash {
		t.Errorf("two images, one hash")
	}
	// Nix confirms: the calls build with the hashes computed, and not
	// with another.
	build := func(i int, hash string) error {
		a := map[string]any{reqs[i].HashKey: hash}
		for k, v := range reqs[i].Args {
			a[k] = v
		}
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		// The arguments come in as a file, read as JSON.
		argsFile := filepath.Join(t.TempDir(), "args.json")
		if err := os.WriteFile(argsFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return exec.Command("nix-build", "--no-out-link", "--expr", "{ fn, args }: import fn (builtins.fromJSON (builtins.readFile args))",
			"--argstr", "fn", fn, "--argstr", "args", argsFile).Run()
	}
	for i, r := range res[:2] {
		if err := build(i, r.Hash); err != nil {
			t.Errorf("building with %s: %v", r.Hash, err)
		}
	}
	if build(0, res[1].Hash) == nil {
		t.Errorf("image 1 builds with the hash of image 2")
	}
}

func TestSpellHash(t *testing.T) {
	const sri = "sha256-LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="
	b32, err := SpellHash(sri, "1mgbc0ncsl4gsd8cq2phh6cb0c8y7mj2y2mw8mn2amsgv2kd61v5")
	if err != nil || len(b32) != 52 {
		t.Fatalf("base32 %q %v", b32, err)
	}
	back, err := SpellHash(b32, "sha256-x")
	if err != nil || back != sri {
		t.Errorf("round trip %q %v", back, err)
	}
}

// throwing has pullImage's interface and cannot even be evaluated for one
// image name.
const throwing = `{ imageName, imageDigest, finalImageTag ? "latest", sha256 ? "", hash ? "" }:
if imageName == "bad/one" then throw "no such image in this stand-in" else import ./pull.nix { inherit imageName imageDigest finalImageTag sha256 hash; }
`

// failing has pullImage's interface; its build fails, saying why.
const failing = `{ imageName, imageDigest, finalImageTag ? "latest", sha256 ? "", hash ? "" }:
derivation {
  name = "failing";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo registry says no to $imageName >&2; exit 1" ];
  inherit imageName;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = if hash != "" then hash else sha256;
}
`

// TestPullHashesOneFails: a call Nix cannot evaluate and a call whose
// build fails each get an error with Nix's reason; the other calls of the
// run still get their hashes.
func TestPullHashesOneFails(t *testing.T) {
	tools(t)
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:1.0", false)
	dir := t.TempDir()
	for name, src := range map[string]string{"pull.nix": pullfn.StandIn, "throwing.nix": throwing, "failing.nix": failing} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := map[string]any{"imageName": host + "/x/app", "imageDigest": d1, "finalImageTag": "1.0"}
	reqs := []PullCall{
		{Func: filepath.Join(dir, "throwing.nix"), Args: map[string]any{"imageName": "bad/one", "imageDigest": d1}, HashKey: "hash"},
		{Func: filepath.Join(dir, "throwing.nix"), Args: good, HashKey: "hash"},
		{Func: filepath.Join(dir, "failing.nix"), Args: map[string]any{"imageName": "bad/two", "imageDigest": d1}, HashKey: "sha256"},
		{Func: filepath.Join(dir, "pull.nix"), Args: good, HashKey: "hash"},
	}
	res, err := PullHashes(context.Background(), "", reqs)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[0].Err, ErrNoHash) || !strings.Contains(res[0].Err.Error(), "no such image in this stand-in") || res[0].Hash != "" {
		t.Errorf("call that throws: %+v", res[0])
	}
	if !errors.Is(res[2].Err, ErrNoHash) || !strings.Contains(res[2].Err.Error(), "registry says no to bad/two") || res[2].Hash != "" {
		t.Errorf("call whose build fails: %+v", res[2])
	}
	for _, i := range []int{1, 3} {
		if res[i].Err != nil || !strings.HasPrefix(res[i].Hash, "sha256-") {
			t.Errorf("call %d: %+v", i, res[i])
		}
	}
	if res[1].Hash != res[3].Hash {
		t.Errorf("one image, two hashes: %s %s", res[1].Hash, res[3].Hash)
	}
}
