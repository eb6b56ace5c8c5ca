// Package rewrite applies byte edits to Nix files and writes the results.
//
// pinner never reformats a file: an edit names the bytes [Start, End) it
// replaces and the text that replaces them, and every byte outside the edits
// stays as it was. Apply checks that the edits do not overlap and applies
// them right to left, so the offsets of the edits still to come stay valid.
// The new text is parsed again before anyone may write it.
package rewrite

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// Edit replaces the bytes [Start, End) of a file with New. Start == End
// inserts.
type Edit struct {
	Start, End int
	New        string
}

// ErrOverlap is wrapped by the error Apply returns for overlapping edits.
var ErrOverlap = errors.New("overlapping edits")

// Sort orders edits by position: by Start, insertions before replacements
// that start at the same offset.
func Sort(edits []Edit) {
	slices.SortStableFunc(edits, func(a, b Edit) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
}

// Apply returns src with edits applied. The edits need not be sorted; they
// must lie within src and must not overlap. Two insertions at one offset
// overlap too: their order would be a guess. Identical edits count once.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	es := slices.Clone(edits)
	Sort(es)
	es = slices.Compact(es)
	for i, e := range es {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("applying edit [%d,%d) to %d bytes: out of range", e.Start, e.End, len(src))
		}
		if i > 0 {
			p := es[i-1]
			if e.Start < p.End || (e.Start == p.Start && (p.Start == p.End || e.Start == e.End)) {
				return nil, fmt.Errorf("applying edits [%d,%d) and [%d,%d): %w", p.Start, p.End, e.Start, e.End, ErrOverlap)
			}
		}
	}
	out := slices.Clone(src)
	// Right to left: an edit never moves the bytes of the edits before it.
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		out = slices.Concat(out[:e.Start], []byte(e.New), out[e.End:])
	}
	return out, nil
}

// File applies edits to the file named name and parses the result: a
// rewrite that breaks the syntax is an error, never a file on disk.
func File(name string, src []byte, edits []Edit) ([]byte, *syntax.File, error) {
	out, err := Apply(src, edits)
	if err != nil {
		return nil, nil, fmt.Errorf("rewriting %q: %w", name, err)
	}
	f, err := syntax.Parse(name, out)
	if err != nil {
		return nil, nil, fmt.Errorf("rewriting %q: the result does not parse: %w", name, err)
	}
	return out, f, nil
}

// Shift maps an offset of the old text to the new one, for offsets that no
// edit covers (such as the start of a string an edit changes inside).
func Shift(edits []Edit, off int) int {
	d := 0
	for _, e := range edits {
		if e.End <= off && !(e.Start == e.End && e.Start == off) {
			d += len(e.New) - (e.End - e.Start)
		}
	}
	return off + d
}

// Quoted is s as a double-quoted Nix string: `"`, `\` and `${` are escaped,
// and so are newlines, tabs and carriage returns, which would otherwise be
// kept literally but are easy to misread.
func Quoted(s string) string { return `"` + EscapeDouble(s) + `"` }

// EscapeDouble escapes s for the inside of a "..." string.
func EscapeDouble(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteString(`\$`)
			} else {
				b.WriteByte(c)
			}
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// EscapeIndented escapes s for the inside of a ”...” string: `”`
// becomes `”'` and `${` becomes `”${`. A trailing `'` would merge with
// whatever quote follows it in the file, so it is written as `”\'`.
func EscapeIndented(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteString("'''")
			i++
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString("''${")
			i++
		case c == '\'' && i+1 == len(s):
			// A lone quote before the closing '' would merge with it.
			b.WriteString(`''\'`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
