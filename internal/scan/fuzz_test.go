package scan

import (
	"os"
	"testing"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// FuzzFile holds that scanning never panics, whatever the parser makes of
// the input, and that every site lies inside the file.
func FuzzFile(f *testing.F) {
	for _, p := range fixtureFiles(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		`let a = b; b = a; in { image = a; }`,
		`{ image = { repository = "a/b"; tag = "1"; }; x = "${image.repository}"; }`,
		`x: { image = "${x}/y:${x}@sha256:${x}"; }`,
		"{ text = ''\n  image: ${\"a:1\"}\n''; }",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		pf, _ := syntax.Parse("fuzz.nix", src)
		if pf == nil {
			return
		}
		for _, s := range File(pf) {
			if s.Offset < 0 || s.Offset > len(src) {
				t.Fatalf("site offset %d outside a %d-byte file", s.Offset, len(src))
			}
			if s.Form == FormDerived && s.DerivedFrom == nil {
				t.Fatalf("derived site without origin: %+v", s)
			}
		}
	})
}
