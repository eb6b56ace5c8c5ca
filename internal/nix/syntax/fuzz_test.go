package syntax

import (
	"bytes"
	"testing"
)

// FuzzParse checks that no input panics, that the tokens always reproduce
// the input, and that a file that parses has every node inside the file.
// Seeds live in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{ a = 1; }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.nix", src)
		if file == nil || file.Root == nil {
			t.Fatal("Parse returned no file or no root")
		}
		var buf bytes.Buffer
		pos := 0
		for _, tok := range file.Tokens {
			if tok.Start != pos || tok.End <= tok.Start {
				t.Fatalf("token %v at [%d,%d), want start %d", tok.Kind, tok.Start, tok.End, pos)
			}
			buf.Write(src[tok.Start:tok.End])
			pos = tok.End
		}
		if !bytes.Equal(buf.Bytes(), src) {
			t.Fatalf("tokens concatenate to %q, want %q", buf.Bytes(), src)
		}
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error %T, want ErrorList", err)
			}
			for _, e := range err.(ErrorList) {
				if e.Offset < 0 || e.Offset > len(src) || e.Line < 1 || e.Column < 1 {
					t.Fatalf("error position %+v out of range", e)
				}
			}
			return
		}
		Inspect(file.Root, func(n Node) bool {
			s := n.NodeSpan()
			if s.Start < 0 || s.End > len(src) || s.Start > s.End {
				t.Fatalf("%T spans [%d,%d) outside the %d-byte input", n, s.Start, s.End, len(src))
			}
			return true
		})
		_ = Dump(file.Root)
		Inspect(file.Root, func(n Node) bool {
			if s, ok := n.(*String); ok {
				s.Literal()
				for i := range s.Parts {
					s.TextValue(i)
				}
			}
			return true
		})
	})
}
