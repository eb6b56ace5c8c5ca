package scan

import (
	"os"
	"testing"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// TestEvalStringMatchesLiteral holds the evaluator's indentation stripping
// to the parser's: for every string without interpolation, in the fixtures
// and in a few awkward cases, both give the same text, and every part maps
// back to its source bytes.
func TestEvalStringMatchesLiteral(t *testing.T) {
	sources := map[string][]byte{
		"ind1": []byte("{ a = ''\n    image: x\n      nested\n\n    last\n  ''; }"),
		"ind2": []byte("{ a = ''foo\n  bar''; }"),
		"ind3": []byte("{ a = ''\n  one\n  ''; }"),
		"ind4": []byte("{ a = ''\n\t tab\n  ''; }"),
		"esc":  []byte(`{ a = "x\ty\${z}"; b = ''a''$b'''c''; }`),
	}
	for _, p := range fixtureFiles(t) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sources[p] = src
	}
	for name, src := range sources {
		f, err := syntax.Parse(name, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ev := &evaluator{f: f, envs: map[syntax.Node]*env{}}
		syntax.Inspect(f.Root, func(n syntax.Node) bool {
			str, ok := n.(*syntax.String)
			if !ok {
				return true
			}
			want, ok := str.Literal()
			if !ok {
				return true
			}
			sv := ev.evalString(str, nil, 0).(*strVal)
			if sv.text != want {
				t.Errorf("%s:%v: evalString = %q, Literal = %q", name, f.Position(str.Start), sv.text, want)
			}
			for _, p := range sv.parts {
				if p.lit.Raw != p.lit.Value {
					continue
				}
				s := &scanner{f: f}
				a, _ := s.srcOffset(&p, p.off)
				b, _ := s.srcOffset(&p, p.end)
				if got := string(src[a:b]); got != sv.text[p.off:p.end] {
					t.Errorf("%s:%v: part maps to %q, want %q", name, f.Position(str.Start), got, sv.text[p.off:p.end])
				}
			}
			return true
		})
	}
}
