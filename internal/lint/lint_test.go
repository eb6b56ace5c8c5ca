package lint

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/scan"
)

const registryYAML = `version: 1
ignore: [ghcr.io/josevictorferreira/ignored-toolbox]
images:
  backup-toolbox:
    repository: ghcr.io/josevictorferreira/backup-toolbox
    build: {file: a.nix}
  alarm-server:
    repository: ghcr.io/josevictorferreira/alarm-server
    build: {file: b.nix}
  old-thing:
    repository: ghcr.io/josevictorferreira/old-thing
    status: disabled
    build: {file: c.nix}
`

func sites(t *testing.T, name, src string) []scan.Site {
	t.Helper()
	f, err := syntax.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return scan.File(f)
}

// TestWarnings: a site one letter off an owned repository, or on another
// host with the owned path, is warned of once per repository at its first
// site; an image no module references is warned of unless disabled;
// names that are only alike, ignored repositories and the owned
// repositories themselves are not.
func TestWarnings(t *testing.T) {
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "registry.yaml"), []byte(registryYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := New(cfg)
	c.Add(sites(t, "a.nix", `{
  a.image = "ghcr.io/josevictorferreira/backup-toolbox:1.0";
  b.image = "ghcr.io/josevictorferriera/backup-toolbox:1.0";
  c.image = "ghcr.io/josevictorferriera/backup-toolbox:1.1";
  d.image = "ghcr.io/josevictorferreira/ignored-toolbox:1.0";
  e.image = "ghcr.io/home-operations/qbittorrent:5.1.2";
  f.image = "ghcr.io/josevictorferreira/alarm-servers:1";
}`))
	c.Add(sites(t, "b.nix", `{
  g.image = "docker.io/josevictorferreira/alarm-server:1";
  h.image = "ghcr.io/josevictorferreira/alarm-sever:1";
}`))
	want := []string{
		`a.nix:3:13: image "ghcr.io/josevictorferriera/backup-toolbox:1.0" (and 1 more site(s) of ghcr.io/josevictorferriera/backup-toolbox) is not one this repository builds, but it is 2 character(s) from the repository of images: "backup-toolbox" (ghcr.io/josevictorferreira/backup-toolbox): if it is a typo, pinner resolves it from a registry instead of building it`,
		`a.nix:7:13: image "ghcr.io/josevictorferreira/alarm-servers:1" is not one this repository builds, but it is 1 character(s) from the repository of images: "alarm-server" (ghcr.io/josevictorferreira/alarm-server): if it is a typo, pinner resolves it from a registry instead of building it`,
		`b.nix:2:13: image "docker.io/josevictorferreira/alarm-server:1" is not one this repository builds, but its path is that of the repository of images: "alarm-server" (ghcr.io/josevictorferreira/alarm-server): if it is a typo, pinner resolves it from a registry instead of building it`,
		`b.nix:3:13: image "ghcr.io/josevictorferreira/alarm-sever:1" is not one this repository builds, but it is 1 character(s) from the repository of images: "alarm-server" (ghcr.io/josevictorferreira/alarm-server): if it is a typo, pinner resolves it from a registry instead of building it`,
		// Only misspelt: never referenced, so never built by --all.
		`images: "alarm-server" (ghcr.io/josevictorferreira/alarm-server): no module references it, so pinner update --all does not build it; pinner update alarm-server builds it alone (or set status: disabled)`,
	}
	if diff := cmp.Diff(want, c.Warnings()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Both referenced, no look-alikes: nothing to say.
	c = New(cfg)
	c.Add(sites(t, "a.nix", `{ a.image = "ghcr.io/josevictorferreira/backup-toolbox:1.0"; b.image = "ghcr.io/josevictorferreira/alarm-server:1"; c.image = "ghcr.io/josevictorferreira/other:1"; }`))
	if got := c.Warnings(); len(got) != 0 {
		t.Errorf("warnings for a repository that fits: %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		limit int
		want  int
		ok    bool
	}{
		{"kitten", "sitting", 3, 3, true},
		{"kitten", "sitting", 2, 0, false},
		{"abc", "abc", 2, 0, true},
		{"abc", "abcde", 1, 0, false},
		{"abc", "abxc", 1, 1, true},
		{"", "ab", 2, 2, true},
		{"flaw", "lawn", 2, 2, true},
		{strings.Repeat("a", 1000), strings.Repeat("a", 999) + "b", 2, 1, true},
	} {
		if d, ok := distance(tt.a, tt.b, tt.limit); d != tt.want || ok != tt.ok {
			t.Errorf("distance(%q, %q, %d) = %d, %v; want %d, %v", tt.a, tt.b, tt.limit, d, ok, tt.want, tt.ok)
		}
	}
}
