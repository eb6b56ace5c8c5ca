package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/scan"
)

// TestMove: a third-party site that its policy moves gets the new tag
// with the new tag's digest, in every form; a tag variable moves at its
// binding when all of its uses move to the same reference, else each site
// gets a literal of its own and the binding stays.
func TestMove(t *testing.T) {
	old := "sha256:" + strings.Repeat("0", 64)
	moves := map[string]string{"ghcr.io/x/a": "1.2.6", "ghcr.io/x/b": "2.0.0"}
	for _, tt := range []struct{ name, in, want string }{
		{"string", `{ a = "ghcr.io/x/a:1.2.3"; }`, `{ a = "ghcr.io/x/a:1.2.6@` + dA + `"; }`},
		{"string with a digest", `{ a = "ghcr.io/x/a:1.2.3@` + old + `"; }`, `{ a = "ghcr.io/x/a:1.2.6@` + dA + `"; }`},
		{"attrset", `{ img = { repository = "ghcr.io/x/a"; tag = "1.2.3"; pullPolicy = "Always"; }; }`,
			`{ img = { repository = "ghcr.io/x/a"; tag = "1.2.6@` + dA + `"; pullPolicy = "Always"; }; }`},
		{"attrset with a digest key", `{ img = { repository = "ghcr.io/x/a"; tag = "1.2.3"; digest = "` + old + `"; }; }`,
			`{ img = { repository = "ghcr.io/x/a"; tag = "1.2.6"; digest = "` + dA + `"; }; }`},
		{"shared tag variable, one repository", "let v = \"1.2.3\"; in { a.image = { repository = \"ghcr.io/x/a\"; tag = v; }; b = \"ghcr.io/x/a:${v}\"; }",
			"let v = \"1.2.6@" + dA + "\"; in { a.image = { repository = \"ghcr.io/x/a\"; tag = v; }; b = \"ghcr.io/x/a:${v}\"; }"},
		{"shared tag variable, two repositories", "let v = \"1.2.3\"; in { a.image = { repository = \"ghcr.io/x/a\"; tag = v; }; b.image = { repository = \"ghcr.io/x/c\"; tag = v; }; }",
			"let v = \"1.2.3\"; in { a.image = { repository = \"ghcr.io/x/a\"; tag = \"1.2.6@" + dA + "\"; }; b.image = { repository = \"ghcr.io/x/c\"; tag = \"1.2.3@" + dB + "\"; }; }"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Make(context.Background(), sitesOf(t, tt.in), Options{
				Style:      config.StyleAuto,
				ThirdParty: Fixed{"ghcr.io/x/a:1.2.6": dA, "ghcr.io/x/c:1.2.3": dB},
				Move:       func(s *scan.Site) string { return moves[s.Image.Context()] },
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
			c := p.Changes[0]
			if c.Ref != "ghcr.io/x/a:1.2.6" || c.Tag != "1.2.6" || c.OldTag != "1.2.3" || c.New != dA {
				t.Errorf("change: %+v", c)
			}
			if _, ok := p.Pins["ghcr.io/x/a:1.2.3"]; ok || p.Pins["ghcr.io/x/a:1.2.6"] != dA {
				t.Errorf("pins: %v", p.Pins)
			}
		})
	}
}
