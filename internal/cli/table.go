package cli

import (
	"sort"
	"strings"

	"github.com/mattn/go-runewidth"
)

// cut says how a table column may be shortened to fit the terminal.
type cut int

const (
	// keep: never shortened (short columns: FORM, PINNED).
	keep cut = iota
	// cutEnd keeps the start ("ghcr.io/x/app:1.0@sha256:0a1b…").
	cutEnd
	// cutStart keeps the end ("…apps/immich.nix:12:5": the file name and
	// line matter more than the directories).
	cutStart
)

// gap is the space between columns.
const gap = 2

// minCut is the narrowest a cut column gets.
const minCut = 12

// fitTable lays rows (the first is the header) out in columns gap spaces
// apart, each as wide as its widest cell, and every line but the cells'
// trailing space kept, as text/tabwriter would. When width is positive
// and the lines would be wider, the widest columns that may be cut are cut
// to one common width (never below minCut, nor below their header), each
// cell shortened from its end or start with "…": the table fits the
// terminal, and --json keeps the full values.
func fitTable(rows [][]string, cuts []cut, width int) string {
	widths := make([]int, len(cuts))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	if width > 0 {
		limit := capFor(widths, cuts, rows[0], width-gap*(len(cuts)-1))
		for i := range widths {
			if cuts[i] != keep && widths[i] > limit {
				widths[i] = limit
			}
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if cuts[i] != keep && runewidth.StringWidth(c) > widths[i] {
				c = shorten(c, widths[i], cuts[i])
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+gap))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// capFor is the largest width the cut columns may keep so that the
// columns' widths add up to at most room; the floor is minCut, or a
// column's header when wider (a table narrower than that stays wider
// than the terminal rather than lose its meaning).
func capFor(widths []int, cuts []cut, header []string, room int) int {
	fixed, most := 0, 0
	for i, w := range widths {
		if cuts[i] == keep {
			fixed += w
		} else {
			most = max(most, w)
		}
	}
	floor := minCut
	for i, h := range header {
		if cuts[i] != keep {
			floor = max(floor, min(widths[i], runewidth.StringWidth(h)))
		}
	}
	total := func(c int) int {
		t := fixed
		for i, w := range widths {
			if cuts[i] != keep {
				t += min(w, c)
			}
		}
		return t
	}
	if most <= floor {
		return most
	}
	// The largest c in [floor, most] with total(c) <= room.
	c := floor + sort.Search(most-floor+1, func(k int) bool { return total(floor+k) > room }) - 1
	return max(c, floor)
}

// shorten cuts s to w columns with "…" at the end or the start.
func shorten(s string, w int, how cut) string {
	if how == cutStart {
		rs := []rune(s)
		n := 0
		i := len(rs)
		for i > 0 && n+runewidth.RuneWidth(rs[i-1]) <= w-1 {
			i--
			n += runewidth.RuneWidth(rs[i])
		}
		return "…" + string(rs[i:])
	}
	return runewidth.Truncate(s, w, "…")
}
