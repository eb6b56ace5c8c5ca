package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// pullPicky is pullfn.StandIn, except that it cannot fetch images named
// .../x/bad: Nix never reports a hash for those.
const pullPicky = `{ imageName, imageDigest, finalImageTag ? "latest", sha256 ? "", hash ? "" }:
derivation {
  name = "pulled-${finalImageTag}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" ''
    set -eu
    export HOME="$PWD" PATH=/usr/bin:/bin
    case "$imageName" in */x/bad) echo "stand-in: $imageName is not served here" >&2; exit 1;; esac
    skopeo --insecure-policy copy --src-tls-verify=false "docker://$imageName@$imageDigest" "dir:$out"
  '' ];
  inherit imageName imageDigest finalImageTag;
  outputHashMode = "recursive";
  outputHashAlgo = "sha256";
  outputHash = if hash != "" then hash else sha256;
}
`

// TestUpdatePullSiteWithoutHash: when Nix computes no hash for one pulled
// image, that site (and the site of another file that has its reference)
// stays byte for byte as it was, with a warning naming its position and
// Nix's reason; every other site is written, the good pulled image with
// a hash the file then builds with; the lock and the changelog do not
// record the digest left out; the exit is 3.
func TestUpdatePullSiteWithoutHash(t *testing.T) {
	needPullTools(t)
	host, _ := registry.StartDistribution(t)
	g1 := registry.PushRandom(t, host+"/x/good:1.0", false)
	b1 := registry.PushRandom(t, host+"/x/bad:1.0", false)
	o1 := registry.PushRandom(t, host+"/x/other:1.0", false)
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	const base32Zero = "0000000000000000000000000000000000000000000000000000"
	badSet := `pull {
    imageName = "` + host + `/x/bad";
    imageDigest = "` + b1 + `";
    sha256 = "` + base32Zero + `";
    finalImageTag = "1.0";
  }`
	k3s := `{ pull ? import ../nix/pull.nix }:
{
  good = pull {
    imageName = "` + host + `/x/good";
    imageDigest = "` + g1 + `";
    hash = "` + fake + `";
    finalImageTag = "1.0";
  };
  bad = ` + badSet + `;
}
`
	app := `{
  deployments.bad.image = "` + host + `/x/bad:1.0@` + b1 + `";
  deployments.other.image = "` + host + `/x/other:1.0@` + o1 + `";
}
`
	dir := writeFiles(t, map[string]string{
		"registry.yaml": "version: 1\nmodules: [\"hosts/*.nix\"]\ninsecure: [" + host + "]\npull_function: nix/pull.nix\n",
		"nix/pull.nix":  pullPicky,
		"hosts/k3s.nix": k3s,
		"hosts/app.nix": app,
		"CHANGELOG.md":  "# Changelog\n",
	})
	g2 := registry.PushRandom(t, host+"/x/good:1.0", false)
	b2 := registry.PushRandom(t, host+"/x/bad:1.0", false)
	o2 := registry.PushRandom(t, host+"/x/other:1.0", false)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	code, out, stderr := run(t, dir, "update", "--all")
	if code != 3 {
		t.Fatalf("update: exit %d, want 3\n%s%s", code, out, stderr)
	}
	gotK3s, gotApp := read("hosts/k3s.nix"), read("hosts/app.nix")
	if !strings.Contains(gotK3s, `imageDigest = "`+g2+`"`) || strings.Contains(gotK3s, fake) || !strings.Contains(gotK3s, `hash = "sha256-`) {
		t.Errorf("the good pulled image was not written with its digest and hash:\n%s", gotK3s)
	}
	if !strings.Contains(gotK3s, "  bad = "+badSet+";\n") {
		t.Errorf("the pulled image without a hash changed:\n%s", gotK3s)
	}
	if !strings.Contains(gotApp, host+"/x/other:1.0@"+o2) {
		t.Errorf("the other image was not pinned:\n%s", gotApp)
	}
	if !strings.Contains(gotApp, host+"/x/bad:1.0@"+b1) {
		t.Errorf("a site of the reference left out moved without it:\n%s", gotApp)
	}
	// The warning: file:line:column of the site, and Nix's reason.
	line := strings.Count(k3s[:strings.Index(k3s, `"`+host+`/x/bad"`)], "\n") + 1
	col := strings.Index(strings.Split(k3s, "\n")[line-1], `"`) + 1
	pos := filepath.Join("hosts", "k3s.nix") + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ":"
	if !strings.Contains(stderr, pos) || !strings.Contains(stderr, "is not served here") {
		t.Errorf("no warning at %s with Nix's reason:\n%s", pos, stderr)
	}
	// The changelog names digests by their first 12 hex digits.
	short := func(d string) string { return d[:len("sha256:")+12] }
	for rel, f := range map[string]func(string) string{"pinner.lock": func(d string) string { return d }, "CHANGELOG.md": short} {
		got := read(rel)
		if strings.Contains(got, f(b2)) || !strings.Contains(got, f(g2)) || !strings.Contains(got, f(o2)) {
			t.Errorf("%s: want the good digests and not the one left out:\n%s", rel, got)
		}
	}
	build := exec.Command("nix-build", "--no-out-link", "-A", "good", filepath.Join(dir, "hosts", "k3s.nix"))
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated pulled image: %v\n%s", err, b)
	}
}
