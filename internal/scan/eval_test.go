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
		ev := newEvaluator(f, &evalMem{})
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
				s := &scanner{f: f}
				a, b, exact := s.srcRange(&p, p.off, p.end)
				if !exact {
					continue
				}
				if got := string(src[a:b]); got != sv.text[p.off:p.end] {
					t.Errorf("%s:%v: part maps to %q, want %q", name, f.Position(str.Start), got, sv.text[p.off:p.end])
				}
			}
			return true
		})
	}
}

// TestRawOffsets holds the map from decoded text to source bytes to the
// parser's decoding: every byte the map says is written as itself is.
func TestRawOffsets(t *testing.T) {
	src := []byte("{ a = \"x\\ty\\${z}\\\"q\\n\"; b = ''a''$b'''c''\\nd\r\ne''; c = \"l\r\nm\"; }")
	f, err := syntax.Parse("esc.nix", src)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	syntax.Inspect(f.Root, func(x syntax.Node) bool {
		str, ok := x.(*syntax.String)
		if !ok {
			return true
		}
		for _, p := range str.Parts {
			lit, ok := p.(*syntax.StringText)
			if !ok {
				continue
			}
			m := rawOffsets(lit.Raw, str.Indented)
			if len(m) != len(lit.Value)+1 {
				t.Errorf("%q: %d offsets for %d bytes of %q", lit.Raw, len(m), len(lit.Value), lit.Value)
				continue
			}
			for i := 0; i < len(lit.Value); i++ {
				if m[i+1]-m[i] == 1 && lit.Raw[m[i]] != lit.Value[i] {
					t.Errorf("%q: byte %d is %q in the text, %q in the source", lit.Raw, i, lit.Value[i], lit.Raw[m[i]])
				}
				if m[i+1]-m[i] != 1 {
					n++
				}
			}
		}
		return true
	})
	if n == 0 {
		t.Error("no escape was met: the test source is wrong")
	}
}
