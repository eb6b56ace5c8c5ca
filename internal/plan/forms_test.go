package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/config"
)

// TestMakeForms pins each form the scanner reads as Nix means it: a set
// written as dotted bindings, a set split over two bindings, an image line
// of YAML kept in a string, a reference in a list. Every other byte stays.
func TestMakeForms(t *testing.T) {
	const src = `{ lib, ... }: {
  values.image.repository = "ghcr.io/x/a";
  values.image.tag = "1.0";
  split = { repository = "ghcr.io/x/b"; };
  split.tag = "1.0";
  data."pod.yaml" = ''
    containers:
      - name: c
        image: ghcr.io/x/c:1.0
  '';
  args = [ "--image" "ghcr.io/x/d:1.0" ];
  valuesContent = ''
    image:
      repository: ghcr.io/x/e
      tag: "1.0"
  '';
}
`
	third := Fixed{"ghcr.io/x/a:1.0": dA, "ghcr.io/x/b:1.0": dA, "ghcr.io/x/c:1.0": dB, "ghcr.io/x/d:1.0": dB, "ghcr.io/x/e:1.0": dA}
	tests := []struct {
		style config.Style
		want  string
	}{
		{config.StyleAuto, strings.NewReplacer(
			`values.image.tag = "1.0";`, `values.image.tag = "1.0@`+dA+`";`,
			`split.tag = "1.0";`, `split.tag = "1.0@`+dA+`";`,
			`image: ghcr.io/x/c:1.0`, `image: ghcr.io/x/c:1.0@`+dB,
			`"ghcr.io/x/d:1.0"`, `"ghcr.io/x/d:1.0@`+dB+`"`,
			`tag: "1.0"`, `tag: "1.0@`+dA+`"`,
		).Replace(src)},
		{config.StyleDigestKey, strings.NewReplacer(
			`values.image.tag = "1.0";`, `values.image.tag = "1.0";`+"\n  "+`values.image.digest = "`+dA+`";`,
			`split.tag = "1.0";`, `split.tag = "1.0";`+"\n  "+`split.digest = "`+dA+`";`,
			`image: ghcr.io/x/c:1.0`, `image: ghcr.io/x/c:1.0@`+dB,
			`"ghcr.io/x/d:1.0"`, `"ghcr.io/x/d:1.0@`+dB+`"`,
			`tag: "1.0"`, `tag: "1.0@`+dA+`"`,
		).Replace(src)},
	}
	for _, tt := range tests {
		t.Run(string(tt.style), func(t *testing.T) {
			p, err := Make(context.Background(), sitesOf(t, src), Options{Style: tt.style, ThirdParty: third})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Files) != 1 {
				t.Fatalf("files: %d, notes %+v", len(p.Files), p.Notes)
			}
			if diff := cmp.Diff(tt.want, string(p.Files[0].New)); diff != "" {
				t.Errorf("new file (-want +got):\n%s", diff)
			}
			if len(p.Changes) != 5 {
				t.Errorf("changes: %+v", p.Changes)
			}
		})
	}
}
