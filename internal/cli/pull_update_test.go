package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/pullfn"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// needPullTools skips a test without the tools a pulled image's hash
// needs, and keeps Nix from asking a binary cache.
func needPullTools(t *testing.T) {
	t.Helper()
	for _, b := range []string{"nix-instantiate", "nix-store", "nix-build", "skopeo"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
	t.Setenv("NIX_CONFIG", "substituters =\nsandbox = false")
}

// pullBroken has pullImage's interface but fetches nothing: Nix never
// reports a hash for it.
const pullBroken = `{ imageName, imageDigest, finalImageTag ? "latest", sha256 ? "", hash ? "" }:
derivation {
  name = "broken-${finalImageTag}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo no registry today >&2; exit 1" ];
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = if hash != "" then hash else sha256;
}
`

// TestUpdatePullSites: when the tag of a pulled image names a new digest,
// update writes the digest with the hash Nix computes for it (in the
// file's spelling) and the file builds; a rerun changes nothing; when the
// hash cannot be computed nothing is written and the exit is 3.
func TestUpdatePullSites(t *testing.T) {
	needPullTools(t)
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:1.0", false)
	d2 := registry.PushRandom(t, host+"/x/app:1.0", false) // the tag moves
	const base32Zero = "0000000000000000000000000000000000000000000000000000"
	src := `{ pull ? import ../nix/pull.nix }:
pull {
  imageName = "` + host + `/x/app";
  imageDigest = "` + d1 + `";
  sha256 = "` + base32Zero + `";
  finalImageTag = "1.0";
}
`
	cfg := "version: 1\nmodules: [\"hosts/*.nix\"]\ninsecure: [" + host + "]\npull_function: nix/pull.nix\n"
	dir := writeFiles(t, map[string]string{
		"registry.yaml":  cfg,
		"nix/pull.nix":   pullfn.StandIn,
		"nix/broken.nix": pullBroken,
		"hosts/app.nix":  src,
	})
	mod := filepath.Join(dir, "hosts", "app.nix")
	read := func() string {
		t.Helper()
		b, err := os.ReadFile(mod)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	code, out, stderr := run(t, dir, "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	got := read()
	if !strings.Contains(got, `imageDigest = "`+d2+`"`) {
		t.Fatalf("digest not updated:\n%s", got)
	}
	if strings.Contains(got, base32Zero) {
		t.Fatalf("hash not updated:\n%s", got)
	}
	if strings.Contains(got, `sha256 = "sha256-`) {
		t.Errorf("the hash lost the file's base32 spelling:\n%s", got)
	}
	build := exec.Command("nix-build", "--no-out-link", mod)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated file: %v\n%s", err, b)
	}

	if code, out, stderr := run(t, dir, "update", "--all"); code != 0 || read() != got {
		t.Errorf("rerun: exit %d, file changed: %v\n%s%s", code, read() != got, out, stderr)
	}

	registry.PushRandom(t, host+"/x/app:1.0", false)
	if err := os.WriteFile(filepath.Join(dir, "registry.yaml"), []byte(strings.Replace(cfg, "nix/pull.nix", "nix/broken.nix", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, dir, "update", "--all")
	if code != 3 || !strings.Contains(stderr, "hash") || !strings.Contains(stderr, "app.nix") {
		t.Errorf("no hash: exit %d, stderr:\n%s", code, stderr)
	}
	if read() != got {
		t.Errorf("a digest was written without its hash:\n%s", read())
	}
}

// TestUpdatePullSitePolicy: a policy that moves a pulled image's tag
// writes the new finalImageTag and digest with the hash (SRI, as the file
// spells it) of the call as it now reads, and the file builds.
func TestUpdatePullSitePolicy(t *testing.T) {
	needPullTools(t)
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:1.0", false)
	d2 := registry.PushRandom(t, host+"/x/app:1.1", false)
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	src := `{ pull ? import ../nix/pull.nix }:
pull {
  imageName = "` + host + `/x/app";
  imageDigest = "` + d1 + `";
  hash = "` + fake + `";
  finalImageTag = "1.0";
}
`
	dir := writeFiles(t, map[string]string{
		"registry.yaml": "version: 1\nmodules: [\"hosts/*.nix\"]\ninsecure: [" + host + "]\npull_function: nix/pull.nix\n" +
			"policies:\n  - match: \"" + host + "/x/app\"\n    update: minor\n",
		"nix/pull.nix":  pullfn.StandIn,
		"hosts/app.nix": src,
	})
	mod := filepath.Join(dir, "hosts", "app.nix")
	code, out, stderr := run(t, dir, "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	b, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, `imageDigest = "`+d2+`"`) || !strings.Contains(got, `finalImageTag = "1.1"`) {
		t.Fatalf("tag and digest not moved:\n%s", got)
	}
	if strings.Contains(got, fake) || !strings.Contains(got, `hash = "sha256-`) {
		t.Fatalf("hash not rewritten in SRI:\n%s", got)
	}
	if b, err := exec.Command("nix-build", "--no-out-link", mod).CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated file: %v\n%s", err, b)
	}
}
