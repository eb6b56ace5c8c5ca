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

// TestUpdatePullSiteHashNotLiteral: a pulled image whose hash is a
// function argument is not editable (scan says why), and update leaves it
// alone with a warning even when its tag names a new digest, while
// another pulled image of the file moves.
func TestUpdatePullSiteHashNotLiteral(t *testing.T) {
	needPullTools(t)
	host, _ := registry.StartDistribution(t)
	d1 := registry.PushRandom(t, host+"/x/app:1.0", false)
	h1 := registry.PushRandom(t, host+"/x/held:1.0", false)
	const fake = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	heldSet := `pull {
    imageName = "` + host + `/x/held";
    imageDigest = "` + h1 + `";
    sha256 = h;
    finalImageTag = "1.0";
  }`
	src := `{ pull ? import ../nix/pull.nix, h ? "` + fake + `" }:
{
  app = pull {
    imageName = "` + host + `/x/app";
    imageDigest = "` + d1 + `";
    hash = "` + fake + `";
    finalImageTag = "1.0";
  };
  held = ` + heldSet + `;
}
`
	dir := writeFiles(t, map[string]string{
		"registry.yaml": "version: 1\nmodules: [\"hosts/*.nix\"]\ninsecure: [" + host + "]\npull_function: nix/pull.nix\n",
		"nix/pull.nix":  pullfn.StandIn,
		"hosts/app.nix": src,
	})
	d2 := registry.PushRandom(t, host+"/x/app:1.0", false)
	registry.PushRandom(t, host+"/x/held:1.0", false)
	mod := filepath.Join(dir, "hosts", "app.nix")

	code, out, stderr := run(t, dir, "scan", "hosts")
	if code != 0 || !strings.Contains(out, "its hash is not a string of this file") {
		t.Errorf("scan: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = run(t, dir, "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, out, stderr)
	}
	b, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, "  held = "+heldSet+";\n") {
		t.Errorf("the site whose hash is an argument changed:\n%s", got)
	}
	if !strings.Contains(got, `imageDigest = "`+d2+`"`) || strings.Count(got, fake) != 1 {
		t.Errorf("the other pulled image did not move with its hash:\n%s", got)
	}
	if !strings.Contains(stderr, "warning: hosts/app.nix:10:") || !strings.Contains(stderr, "its hash is not a string of this file") {
		t.Errorf("no warning for the site whose hash is an argument:\n%s", stderr)
	}
	if b, err := exec.Command("nix-build", "--no-out-link", "-A", "app", mod).CombinedOutput(); err != nil {
		t.Fatalf("nix-build of the updated file: %v\n%s", err, b)
	}
}
