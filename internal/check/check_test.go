package check

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/lock"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/scan"
)

const hexA = "08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb"

func TestFindings(t *testing.T) {
	src := `{ registry }: {
  a.image = "ghcr.io/x/a:1";
  b.image = "ghcr.io/x/b:1@sha256:` + hexA + `";
  c.image = "${registry}/c:1";
  d.image = "ghcr.io/X/d:1";
  e.image = "busybox:1.37";
  f.init = "${registry}-x";
  g.values.image.tag = "v2";
  h.image = { repository = "ghcr.io/me/app"; tag = "1.0"; };
  i.image = "quay.io/x/i";
}`
	f, err := syntax.Parse("m.nix", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sites := scan.File(f)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "registry.yaml"), []byte("version: 1\nignore: [docker.io/library/busybox]\nimages:\n  app:\n    repository: ghcr.io/me/app\n    build: {file: app.nix}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fd := range Findings(cfg, sites) {
		got = append(got, fd.Ref+": "+fd.Message)
	}
	want := []string{
		// Every hint is a command that runs: `pinner update` alone
		// selects nothing and exits 2.
		`ghcr.io/x/a:1: image "ghcr.io/x/a:1" is not pinned to a digest (run: pinner update ghcr.io/x/a:1)`,
		`${registry}/c:1: image "${registry}/c:1" is not pinned to a digest; pinner cannot pin it automatically: repository depends on function argument 'registry'`,
		`ghcr.io/X/d:1: image "ghcr.io/X/d:1" is not a valid image reference: bad path component "X"`,
		`:v2: image ":v2" is not pinned to a digest; pinner cannot pin it automatically: tag-only: the repository comes from the chart`,
		`ghcr.io/me/app:1.0: image "ghcr.io/me/app:1.0" is not pinned to a digest (run: pinner update app)`,
		`quay.io/x/i: image "quay.io/x/i" is not pinned to a digest (it has no tag to resolve: write one, then run: pinner update quay.io/x/i:TAG)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	l := lock.New()
	l.Images["ghcr.io/x/b:1"] = lock.Entry{Digest: "sha256:" + strings.Repeat("b", 64)}
	lf := LockFindings(cfg, sites, l)
	if len(lf) != 1 || lf[0].Ref != "ghcr.io/x/b:1@sha256:"+hexA || !strings.Contains(lf[0].Message, "but pinner.lock has sha256:bbbbbbbbbbbb") {
		t.Errorf("lock findings: %+v", lf)
	}
	if LockFindings(cfg, sites, nil) != nil {
		t.Error("no lock, yet findings")
	}
}
