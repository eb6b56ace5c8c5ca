package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/pullfn"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// n2cPullStandIn has the interface of nix2container's pullImage (no
// finalImageTag; arch, os and tlsVerify) and, like it, fetches another
// output than dockerTools': here the image's manifest, a flat file.
const n2cPullStandIn = `{ imageName, imageDigest, sha256 ? "", hash ? "", os ? "linux", arch ? "amd64", tlsVerify ? true }:
derivation {
  name = "manifest-${arch}.json";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    tls=true; [ -n "$tlsVerify" ] || tls=false
    skopeo inspect --raw --tls-verify="$tls" "docker://$imageName@$imageDigest" > "$out"
  '' ];
  inherit imageName imageDigest tlsVerify;
  outputHashMode = "flat";
  outputHashAlgo = "sha256";
  outputHash = if hash != "" then hash else sha256;
}
`

// TestUpdateNix2containerPullSites: with nix2container_pull_function, a
// nix2container pullImage site is editable and update writes its new
// digest with the hash of that function's output, while a dockerTools
// site of the same run gets the hash of pull_function's, in one Nix run;
// both then build. Without the key the site is not editable, names the
// key, and update leaves it alone.
func TestUpdateNix2containerPullSites(t *testing.T) {
	needPullTools(t)
	host, _ := registry.StartDistribution(t)
	n1 := registry.PushRandom(t, host+"/x/n2c:latest", false)
	d1 := registry.PushRandom(t, host+"/x/docker:1.0", false)
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	n2cSet := `nix2container.pullImage {
    imageName = "` + host + `/x/n2c";
    imageDigest = "` + n1 + `";
    arch = "amd64";
    tlsVerify = false;
    hash = "` + fake + `";
  }`
	src := `{ nix2container ? { pullImage = import ../nix/n2c-pull.nix; }, pull ? import ../nix/pull.nix }:
{
  n2c = ` + n2cSet + `;
  docker = pull {
    imageName = "` + host + `/x/docker";
    imageDigest = "` + d1 + `";
    hash = "` + fake + `";
    finalImageTag = "1.0";
  };
}
`
	base := "version: 1\nmodules: [\"hosts/*.nix\"]\ninsecure: [" + host + "]\npull_function: nix/pull.nix\n"
	dir := writeFiles(t, map[string]string{
		"registry.yaml":    base,
		"nix/pull.nix":     pullfn.StandIn,
		"nix/n2c-pull.nix": n2cPullStandIn,
		"hosts/img.nix":    src,
	})
	mod := filepath.Join(dir, "hosts", "img.nix")
	read := func() string {
		t.Helper()
		b, err := os.ReadFile(mod)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	n2 := registry.PushRandom(t, host+"/x/n2c:latest", false)
	d2 := registry.PushRandom(t, host+"/x/docker:1.0", false)

	// Without the key: not editable, and the reason says what to set.
	code, out, stderr := run(t, dir, "scan", "--json", "hosts")
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	var scanned struct {
		Sites []struct {
			Ref      string
			Editable bool
			Reason   string
		}
	}
	if err := json.Unmarshal([]byte(out), &scanned); err != nil {
		t.Fatal(err)
	}
	var n2cSite *struct {
		Ref      string
		Editable bool
		Reason   string
	}
	for i := range scanned.Sites {
		if strings.Contains(scanned.Sites[i].Ref, "/x/n2c") {
			n2cSite = &scanned.Sites[i]
		}
	}
	if n2cSite == nil || n2cSite.Editable || !strings.Contains(n2cSite.Reason, "nix2container_pull_function") {
		t.Fatalf("nix2container site without the key: %s", out)
	}
	code, out, stderr = run(t, dir, "update", "--all")
	got := read()
	if code != 0 || !strings.Contains(got, "  n2c = "+n2cSet+";\n") || !strings.Contains(got, `imageDigest = "`+d2+`"`) {
		t.Fatalf("update without the key: exit %d\n%s\n%s%s", code, got, out, stderr)
	}

	// With it: both move, each with its own function's hash.
	if err := os.WriteFile(filepath.Join(dir, "registry.yaml"), []byte(base+"nix2container_pull_function: nix/n2c-pull.nix\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, dir, "scan", "--json", "hosts"); code != 0 || strings.Contains(out, "nix2container_pull_function") {
		t.Errorf("scan with the key: exit %d\n%s", code, out)
	}
	code, out, stderr = run(t, dir, "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	got = read()
	if !strings.Contains(got, `imageDigest = "`+n2+`"`) || strings.Contains(got, fake) {
		t.Fatalf("nix2container site not moved with its hash:\n%s", got)
	}
	for _, attr := range []string{"n2c", "docker"} {
		if b, err := exec.Command("nix-build", "--no-out-link", "-A", attr, mod).CombinedOutput(); err != nil {
			t.Errorf("nix-build -A %s of the updated file: %v\n%s", attr, err, b)
		}
	}
	// The hash is the manifest's (flat), not the one dockerTools' stand-in
	// gives the same image.
	out2, err := exec.Command("nix-build", "--no-out-link", "-A", "n2c", mod).Output()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(strings.TrimSpace(string(out2)))
	if err != nil || !strings.Contains(string(manifest), "layers") {
		t.Errorf("the nix2container output is not the manifest: %v\n%s", err, manifest)
	}
	if code, out, stderr := run(t, dir, "update", "--all"); code != 0 || read() != got {
		t.Errorf("rerun: exit %d, changed %v\n%s%s", code, read() != got, out, stderr)
	}
}
