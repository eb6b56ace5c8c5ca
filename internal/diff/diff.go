// Package diff formats the difference between two versions of a file as a
// unified diff (`--- a/path`, `+++ b/path`, `@@ -l,n +l,n @@` hunks with
// three lines of context), the form `git apply` and `patch -p1` read. The
// line matching is github.com/sergi/go-diff's line mode.
package diff

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Context is the number of unchanged lines shown around each change.
const Context = 3

// Unified returns the unified diff turning old into new, with path in the
// headers; "" when they are equal. A missing file is old == nil (shown as
// /dev/null).
func Unified(path string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(string(old), string(new))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	// Flatten into one op per line.
	type line struct {
		op   diffmatchpatch.Operation
		text string // without the newline
		eol  bool   // the line ends in a newline
	}
	var ls []line
	for _, d := range diffs {
		text := d.Text
		for text != "" {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				ls = append(ls, line{d.Type, text, false})
				break
			}
			ls = append(ls, line{d.Type, text[:i], true})
			text = text[i+1:]
		}
	}

	var out strings.Builder
	from, to := "a/"+path, "b/"+path
	if old == nil {
		from = "/dev/null"
	}
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)

	// Group changes into hunks: runs of changes closer than 2·Context
	// unchanged lines share one.
	n := len(ls)
	i := 0
	oldLine, newLine := 1, 1 // line numbers of ls[i]
	for i < n {
		// Find the next change.
		j := i
		ol, nl := oldLine, newLine
		for j < n && ls[j].op == diffmatchpatch.DiffEqual {
			j++
			ol++
			nl++
		}
		if j == n {
			break
		}
		start := max(j-Context, i)
		hOld, hNew := ol-(j-start), nl-(j-start)
		// Extend to the end of the hunk.
		// equal counts the unchanged lines at the end of ls[j:k].
		k, equal := j, 0
		for k < n {
			if ls[k].op == diffmatchpatch.DiffEqual {
				if equal == 2*Context {
					break
				}
				equal++
			} else {
				equal = 0
			}
			k++
		}
		end := k - equal + min(equal, Context)
		var body strings.Builder
		oldN, newN := 0, 0
		for _, l := range ls[start:end] {
			prefix := " "
			switch l.op {
			case diffmatchpatch.DiffDelete:
				prefix = "-"
				oldN++
			case diffmatchpatch.DiffInsert:
				prefix = "+"
				newN++
			default:
				oldN++
				newN++
			}
			body.WriteString(prefix + l.text + "\n")
			if !l.eol {
				body.WriteString("\\ No newline at end of file\n")
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", rangeOf(hOld, oldN), rangeOf(hNew, newN))
		out.WriteString(body.String())
		// Advance the line counters over ls[i:end].
		for _, l := range ls[i:end] {
			if l.op != diffmatchpatch.DiffInsert {
				oldLine++
			}
			if l.op != diffmatchpatch.DiffDelete {
				newLine++
			}
		}
		i = end
	}
	return out.String()
}

// rangeOf formats a hunk range the way GNU diff does: an empty range names
// the line before it.
func rangeOf(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
