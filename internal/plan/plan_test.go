package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
)

var (
	dA = "sha256:" + strings.Repeat("a", 64)
	dB = "sha256:" + strings.Repeat("b", 64)
)

const module = `{ registry, ... }:
let
  v = "1.0";
in {
  a.image = "ghcr.io/x/a:1.0";
  b.image = "ghcr.io/x/b:1.0@` + "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" + `";
  c.image = "ghcr.io/own/c:${v}";
  d.image = "${registry}/x/d:1";
  e.image = "nginx";
  f.image = "ghcr.io/x/f@` + "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" + `";
}
`

func sitesOf(t *testing.T, src string) []scan.Site {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.nix")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sites, errs, err := scan.Files(context.Background(), []string{p}, 1)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	return sites
}

func isOwned(repo string) bool { return strings.HasPrefix(repo, "ghcr.io/own/") }

func TestMake(t *testing.T) {
	sites := sitesOf(t, module)
	third := Fixed{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dB}
	p, err := Make(context.Background(), sites, Options{Style: config.StyleAuto, ThirdParty: third, IsOwned: isOwned})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 {
		t.Fatalf("files: %d", len(p.Files))
	}
	got := string(p.Files[0].New)
	want := strings.Replace(module, `"ghcr.io/x/a:1.0"`, `"ghcr.io/x/a:1.0@`+dA+`"`, 1)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new file (-want +got):\n%s", diff)
	}
	// b already has the digest: no change, no entry.
	if len(p.Changes) != 1 || p.Changes[0].Ref != "ghcr.io/x/a:1.0" || p.Changes[0].Old[0] != "" || p.Changes[0].New != dA {
		t.Errorf("changes: %+v", p.Changes)
	}
	if diff := cmp.Diff(map[imageref.Key]string{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dB}, p.Pins); diff != "" {
		t.Errorf("pins (-want +got):\n%s", diff)
	}
	var notes []string
	for _, n := range p.Notes {
		notes = append(notes, n.Site.Ref+": "+map[Level]string{Info: "info", Warn: "warn"}[n.Level])
	}
	wantNotes := []string{"ghcr.io/own/c:1.0: info", "${registry}/x/d:1: warn", "nginx: warn"}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

// TestOwnedSource: owned images plug in as another Source.
func TestOwnedSource(t *testing.T) {
	sites := sitesOf(t, module)
	third := Fixed{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dB}
	owned := Fixed{"ghcr.io/own/c:1.0": dB}
	p, err := Make(context.Background(), sites, Options{ThirdParty: third, Owned: owned, IsOwned: isOwned})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.Files[0].New), `v = "1.0@`+dB+`";`) {
		t.Errorf("the owned image's tag binding is not pinned:\n%s", p.Files[0].New)
	}
	if len(p.Changes) != 2 || !p.Changes[0].Owned || p.Changes[1].Owned {
		t.Errorf("changes: %+v", p.Changes)
	}
}

func TestResolveFailureChangesNothing(t *testing.T) {
	sites := sitesOf(t, module)
	p, err := Make(context.Background(), sites, Options{ThirdParty: Fixed{"ghcr.io/x/a:1.0": dA}, IsOwned: isOwned})
	var re *ResolveError
	if !errors.As(err, &re) || !errors.Is(err, oci.ErrNotFound) || p != nil {
		t.Fatalf("Make = %v, %v; want a ResolveError wrapping ErrNotFound", p, err)
	}
}

func TestSelect(t *testing.T) {
	sites := sitesOf(t, module)
	p, err := Make(context.Background(), sites, Options{
		ThirdParty: Fixed{"ghcr.io/x/b:1.0": dA},
		Select:     func(s *scan.Site) bool { return s.Image.Repository == "ghcr.io/x/b" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Old[0] != dB || len(p.Notes) != 0 {
		t.Errorf("changes %+v notes %+v", p.Changes, p.Notes)
	}
	if !strings.Contains(string(p.Files[0].New), `"ghcr.io/x/b:1.0@`+dA+`"`) {
		t.Errorf("digest not replaced:\n%s", p.Files[0].New)
	}
}

func TestBadDigestFromSource(t *testing.T) {
	sites := sitesOf(t, module)
	_, err := Make(context.Background(), sites, Options{
		ThirdParty: Fixed{"ghcr.io/x/b:1.0": "sha256:short"},
		Select:     func(s *scan.Site) bool { return s.Image.Repository == "ghcr.io/x/b" },
	})
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a ResolveError", err)
	}
}

// confirming is a Fixed source that records what it is asked to confirm
// and fails for the references in refuse.
type confirming struct {
	Fixed
	asked  map[string]string
	refuse map[string]bool
}

func (c *confirming) Confirm(_ context.Context, pins map[string]string) error {
	c.asked = pins
	for ref := range pins {
		if c.refuse[ref] {
			return errors.New("not there: " + ref)
		}
	}
	return nil
}

// TestConfirmChangedOnly: Make asks a Confirmer about the digests that
// some site changes to, and only those (b already carries its digest),
// and plans nothing when one is refused.
func TestConfirmChangedOnly(t *testing.T) {
	sites := sitesOf(t, module)
	src := &confirming{Fixed: Fixed{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dB}}
	if _, err := Make(context.Background(), sites, Options{ThirdParty: src, IsOwned: isOwned}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"ghcr.io/x/a:1.0": dA}, src.asked); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	src.refuse = map[string]bool{"ghcr.io/x/a:1.0": true}
	p, err := Make(context.Background(), sites, Options{ThirdParty: src, IsOwned: isOwned})
	var re *ResolveError
	if !errors.As(err, &re) || p != nil {
		t.Fatalf("Make = %v, %v; want a ResolveError and no plan", p, err)
	}
}

// TestUnrecorded: a site whose digest is not the one the lock records is
// a change the lock has not seen (a stopped run's, or a hand edit): from
// the recorded digest to the site's, per file.
func TestUnrecorded(t *testing.T) {
	sites := sitesOf(t, module)
	p, err := Make(context.Background(), sites, Options{
		ThirdParty: Fixed{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dB},
		IsOwned:    isOwned,
		Recorded:   map[imageref.Key]string{"ghcr.io/x/b:1.0": dA, "ghcr.io/x/a:1.0": dB},
	})
	if err != nil {
		t.Fatal(err)
	}
	// b carries dB, the lock says dA; a has no digest yet (nothing to
	// record but its change).
	want := []Change{{Ref: "ghcr.io/x/b:1.0", Repository: "ghcr.io/x/b", Tag: "1.0", Old: []string{dA}, New: dB,
		Files: []string{sites[0].File}, From: []From{{Tag: "1.0", Digest: dA, Files: []string{sites[0].File}}}}}
	if diff := cmp.Diff(want, p.Unrecorded); diff != "" {
		t.Errorf("Unrecorded (-want +got):\n%s", diff)
	}
	if len(p.Changes) != 1 || len(p.Changes[0].From) != 1 || p.Changes[0].From[0].Digest != "" {
		t.Errorf("Changes = %+v, want a from none", p.Changes)
	}
}
