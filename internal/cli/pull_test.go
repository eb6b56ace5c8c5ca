package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/outdated"
)

// TestPullSites: a pullImage call is a site of the form pull that scan,
// check and outdated see like any other, and that update leaves alone
// until it can write the hash Nix computes.
func TestPullSites(t *testing.T) {
	dir, host := outdatedRepo(t)
	d := pushedDigests(t, host)
	rel := filepath.Join("hosts", "k3s.nix")
	src := `{ pkgs, ... }: let
  pull = pkgs.dockerTools.pullImage;
in {
  services.k3s.images = [
    (pull {
      imageName = "ghcr.io/x/app";
      imageDigest = "` + d("ghcr.io/x/app:1.0.0") + `";
      hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      finalImageTag = "1.0.0";
    })
  ];
}
`
	writeFile(t, filepath.Join(dir, rel), src)

	code, out, stderr := run(t, dir, "scan", "--json", "hosts")
	if code != 0 {
		t.Fatalf("scan: exit %d; stderr %q", code, stderr)
	}
	var scanned struct {
		Sites []struct {
			File, Form, Ref string
			Line            int
			Pinned          bool
			Editable        bool
			Reason          string
		}
	}
	if err := json.Unmarshal([]byte(out), &scanned); err != nil {
		t.Fatalf("scan output: %v\n%s", err, out)
	}
	if len(scanned.Sites) != 1 {
		t.Fatalf("sites: %s", out)
	}
	s := scanned.Sites[0]
	if s.Form != "pull" || s.Line != 6 || s.Ref != "ghcr.io/x/app:1.0.0@"+d("ghcr.io/x/app:1.0.0") || !s.Pinned || !s.Editable {
		t.Errorf("site: %+v", s)
	}
	code, out, _ = run(t, dir, "scan", "hosts")
	if code != 0 || !strings.Contains(out, " pull ") {
		t.Errorf("scan table: exit %d\n%s", code, out)
	}

	if code, out, stderr := run(t, dir, "check", "hosts"); code != 0 {
		t.Errorf("check of a pinned pull site: exit %d\n%s%s", code, out, stderr)
	}

	code, out, stderr = run(t, dir, "outdated", "--json", "hosts")
	if code != 0 {
		t.Fatalf("outdated: exit %d; stderr %q", code, stderr)
	}
	var entries []outdated.Entry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("outdated output: %v\n%s", err, out)
	}
	if len(entries) != 1 || entries[0].File != rel || entries[0].Line != 6 || entries[0].Current != "1.0.0" || entries[0].Latest != "2.0.0" {
		t.Errorf("outdated: %+v", entries)
	}

	// A digest without its hash would break the build: update writes none.
	run(t, dir, "update", "--all")
	got, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != src {
		t.Errorf("update changed a pull site:\n%s", got)
	}
}
