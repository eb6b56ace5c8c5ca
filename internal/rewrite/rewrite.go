// Package rewrite applies byte edits to Nix files and writes the results.
//
// pinner never reformats a file: an edit names the bytes [Start, End) it
// replaces and the text that replaces them, and every byte outside the edits
// stays as it was. Apply checks that the edits do not overlap and builds the
// new text in one pass, left to right, copying each byte once: the cost is
// linear in the size of the file, however many edits it gets. The new text
// is parsed again before anyone may write it.
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
	// One pass over the sorted edits: every edit's offsets are those of
	// src, so none moves another. (Splicing each edit into a copy of the
	// whole file instead made a file with n sites cost n copies of it.)
	size := len(src)
	for _, e := range es {
		size += len(e.New) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	prev := 0
	for _, e := range es {
		out = append(out, src[prev:e.Start]...)
		out = append(out, e.New...)
		prev = e.End
	}
	return append(out, src[prev:]...), nil
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

// Offsets maps offsets of the old text to the new one, for offsets that no
// edit covers (such as the start of a string an edit changes inside), in
// O(log n) per offset: a file with n sites checked after its rewrite costs
// n log n, not n².
type Offsets struct {
	es  []Edit // sorted
	sum []int  // sum[i]: growth of the text by es[:i]
}

// NewOffsets prepares the mapping for edits, which must not overlap.
func NewOffsets(edits []Edit) *Offsets {
	es := slices.Clone(edits)
	Sort(es)
	sum := make([]int, len(es)+1)
	for i, e := range es {
		sum[i+1] = sum[i] + len(e.New) - (e.End - e.Start)
	}
	return &Offsets{es: es, sum: sum}
}

// Map is off in the new text. Edits that end at or before off move it; an
// insertion exactly at off does not (off is where the inserted text
// starts, so it keeps naming what followed).
func (o *Offsets) Map(off int) int {
	// Non-overlapping edits sorted by start are sorted by end too, so the
	// edits ending at or before off are a prefix.
	n, _ := slices.BinarySearchFunc(o.es, off, func(e Edit, off int) int {
		if e.End <= off {
			return -1
		}
		return 1
	})
	for n > 0 && o.es[n-1].Start == off && o.es[n-1].End == off {
		n--
	}
	return off + o.sum[n]
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
