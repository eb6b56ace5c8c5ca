package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/scan"
)

// TestOwnedRetag: with OwnedTag, every owned site is pinned under the
// image's tag: the tag is replaced, or added in front of a digest alone.
func TestOwnedRetag(t *testing.T) {
	old := "sha256:" + strings.Repeat("0", 64)
	tests := []struct {
		name, in, want string
		style          config.Style
	}{
		{"string with a digest alone", `{ a = "ghcr.io/own/a@` + old + `"; }`, `{ a = "ghcr.io/own/a:2.0@` + dA + `"; }`, config.StyleAuto},
		{"string with another tag", `{ a = "ghcr.io/own/a:latest"; }`, `{ a = "ghcr.io/own/a:2.0@` + dA + `"; }`, config.StyleAuto},
		{"string with tag and digest", `{ a = "ghcr.io/own/a:1.0@` + old + `"; }`, `{ a = "ghcr.io/own/a:2.0@` + dA + `"; }`, config.StyleAuto},
		{"same tag: digest only", `{ a = "ghcr.io/own/a:2.0"; }`, `{ a = "ghcr.io/own/a:2.0@` + dA + `"; }`, config.StyleAuto},
		{"same digest: tag only", `{ a = "ghcr.io/own/a:1.0@` + dA + `"; }`, `{ a = "ghcr.io/own/a:2.0@` + dA + `"; }`, config.StyleAuto},
		{
			"set with a digest key and no tag",
			"{\n  img = {\n    repository = \"ghcr.io/own/a\";\n    digest = \"" + old + "\";\n  };\n}",
			"{\n  img = {\n    repository = \"ghcr.io/own/a\";\n    tag = \"2.0\";\n    digest = \"" + dA + "\";\n  };\n}",
			config.StyleAuto,
		},
		{
			"set with tag and digest keys",
			`{ img = { repository = "ghcr.io/own/a"; tag = "1.0"; digest = "` + old + `"; }; }`,
			`{ img = { repository = "ghcr.io/own/a"; tag = "2.0"; digest = "` + dA + `"; }; }`,
			config.StyleAuto,
		},
		{
			"set with a tag",
			`{ img = { registry = "ghcr.io"; repository = "own/a"; tag = "1.0"; }; }`,
			`{ img = { registry = "ghcr.io"; repository = "own/a"; tag = "2.0@` + dA + `"; }; }`,
			config.StyleAuto,
		},
		{
			"set with a tag, digest-key style",
			`{ img = { repository = "ghcr.io/own/a"; tag = "1.0"; }; }`,
			`{ img = { repository = "ghcr.io/own/a"; tag = "2.0"; digest = "` + dA + `"; }; }`,
			config.StyleDigestKey,
		},
		{
			"tag variable of this image only: edited at its binding",
			"let v = \"1.0\"; in { a.image = { repository = \"ghcr.io/own/a\"; tag = v; }; }",
			"let v = \"2.0@" + dA + "\"; in { a.image = { repository = \"ghcr.io/own/a\"; tag = v; }; }",
			config.StyleAuto,
		},
		{
			"tag variable shared with another image: a literal of its own",
			"let v = \"1.0\"; in { a.image = { repository = \"ghcr.io/own/a\"; tag = v; }; b.image = { repository = \"ghcr.io/x/b\"; tag = v; }; }",
			"let v = \"1.0\"; in { a.image = { repository = \"ghcr.io/own/a\"; tag = \"2.0@" + dA + "\"; }; b.image = { repository = \"ghcr.io/x/b\"; tag = v; }; }",
			config.StyleAuto,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sites := sitesOf(t, tt.in)
			p, err := Make(context.Background(), sites, Options{
				Style:      tt.style,
				ThirdParty: Fixed{},
				Owned:      Fixed{"ghcr.io/own/a:2.0": dA},
				OwnedTag:   func(*scan.Site) string { return "2.0" },
				IsOwned:    isOwned,
				Select:     func(s *scan.Site) bool { return isOwned(s.Image.Context()) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Files) != 1 {
				t.Fatalf("files: %d; notes %+v", len(p.Files), p.Notes)
			}
			if diff := cmp.Diff(tt.want, string(p.Files[0].New)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(p.Changes) != 1 || p.Changes[0].Ref != "ghcr.io/own/a:2.0" || p.Changes[0].Tag != "2.0" || !p.Changes[0].Owned {
				t.Errorf("changes: %+v", p.Changes)
			}
			// What the site had before, tag included: the changelog shows a
			// re-tag as "old tag → new tag".
			if s := sites[0]; len(p.Changes) == 1 && !cmp.Equal(p.Changes[0].From, []From{{Tag: s.Image.Tag, Digest: s.Image.Digest, Files: []string{s.File}}}) {
				t.Errorf("from: %+v, want tag %q digest %q", p.Changes[0].From, s.Image.Tag, s.Image.Digest)
			}
			if p.Pins["ghcr.io/own/a:2.0"] != dA {
				t.Errorf("pins: %v", p.Pins)
			}
		})
	}
}

// An owned site whose image is not built in this run is left alone, with
// an Info note.
func TestOwnedNotBuilt(t *testing.T) {
	sites := sitesOf(t, `{ a = "ghcr.io/own/a:1.0"; }`)
	p, err := Make(context.Background(), sites, Options{
		ThirdParty: Fixed{},
		Owned:      Fixed{},
		OwnedTag:   func(*scan.Site) string { return "" },
		IsOwned:    isOwned,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 0 || len(p.Notes) != 1 || p.Notes[0].Level != Info {
		t.Errorf("files %d, notes %+v", len(p.Files), p.Notes)
	}
}
