package syntax

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// oldStripIndentation is the byte-by-byte second pass stripIndentation
// replaced; TestStripIndentationRuns holds the new one to it.
func oldStripIndentation(s *String, pieces []indPiece) {
	atStart := true
	minIndent, cur := math.MaxInt, 0
	for _, pc := range pieces {
		if pc.kind != indText {
			if atStart {
				atStart = false
				minIndent = min(minIndent, cur)
			}
			continue
		}
		for j := 0; j < len(pc.val); j++ {
			c := pc.val[j]
			if atStart {
				switch c {
				case ' ':
					cur++
				case '\n':
					cur = 0
				default:
					atStart = false
					minIndent = min(minIndent, cur)
				}
			} else if c == '\n' {
				atStart = true
				cur = 0
			}
		}
	}
	if minIndent != math.MaxInt {
		s.Indentation = minIndent
	}
	stripped := make([]strings.Builder, len(s.Parts))
	atStart = true
	dropped := 0
	for k, pc := range pieces {
		if pc.kind == indInterp {
			atStart = false
			dropped = 0
			continue
		}
		var b strings.Builder
		for j := 0; j < len(pc.val); j++ {
			c := pc.val[j]
			if atStart {
				switch c {
				case ' ':
					if dropped >= minIndent {
						b.WriteByte(c)
					}
					dropped++
				case '\n':
					dropped = 0
					b.WriteByte(c)
				default:
					atStart = false
					dropped = 0
					b.WriteByte(c)
				}
			} else {
				b.WriteByte(c)
				if c == '\n' {
					atStart = true
				}
			}
		}
		v := b.String()
		if k == len(pieces)-1 {
			if nl := strings.LastIndexByte(v, '\n'); nl >= 0 && strings.Trim(v[nl+1:], " ") == "" {
				v = v[:nl+1]
			}
		}
		stripped[pc.part].WriteString(v)
	}
	s.stripped = make([]string, len(s.Parts))
	for i := range stripped {
		s.stripped[i] = stripped[i].String()
	}
}

func TestStripIndentationRuns(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vals := []string{" ", "  ", "\n", "a", "b c", " \n ", "x\n", "\n  y", "    "}
	var scratch []byte
	for range 100000 {
		var pieces []indPiece
		part := 0
		for range rng.Intn(7) {
			switch rng.Intn(6) {
			case 0:
				part++
				pieces = append(pieces, indPiece{kind: indInterp, part: part})
				part++
			case 1:
				pieces = append(pieces, indPiece{kind: indEscape, part: part, val: vals[rng.Intn(len(vals))]})
			default:
				var b strings.Builder
				for range rng.Intn(5) {
					b.WriteString(vals[rng.Intn(len(vals))])
				}
				pieces = append(pieces, indPiece{kind: indText, part: part, val: b.String()})
			}
		}
		a, b := &String{Parts: make([]StringPart, part+1)}, &String{Parts: make([]StringPart, part+1)}
		oldStripIndentation(a, pieces)
		scratch = stripIndentation(b, pieces, scratch)
		if a.Indentation != b.Indentation || !slices.Equal(a.stripped, b.stripped) {
			t.Fatalf("pieces %+v: got %d %q, want %d %q", pieces, b.Indentation, b.stripped, a.Indentation, a.stripped)
		}
	}
}
