// Package changelog records image updates in a Markdown changelog and
// formats them as a pull request description.
//
// # Format
//
// Each run that changes digests adds its entries under a dated heading,
// newest first:
//
//	## Images 2026-11-26
//
//	- `docker.io/library/busybox` tag `1.37`: none → `sha256:4b4d3ac8c1f0` (modules/kubenix/apps/busybox-jobs.nix)
//	- `ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:0a1b2c3d4e5f` → `sha256:99aa88bb77cc` (modules/kubenix/apps/qbittorrent.nix) — digest
//	- `ghcr.io/x/app` tag `1.2.3` → `1.3.0`: `sha256:0a1b2c3d4e5f` → `sha256:99aa88bb77cc` (modules/kubenix/apps/app.nix) — minor, [release notes](https://github.com/x/app/compare/v1.2.3...v1.3.0)
//
// An entry names its class (digest, patch, minor, major) when it has one,
// and a tag that a policy moved as "old → new".
//
// A dated heading of its own, rather than a section inside Keep a
// Changelog's "## [Unreleased]", because a homelab repository's changelog
// has no releases: image updates are the events, and the date is what one
// looks for. The section goes before the first "## " heading (after the
// title and introduction); a second run on the same day adds to the
// existing section. Digests are shortened to 12 hex digits, "none" when the
// site was not pinned before. File names are written as they are when
// they hold nothing Markdown could read as markup, else as code spans with
// control characters escaped (a newline in a name once wrote a heading of
// its own); in the PR body's table every name is a code span, its pipes
// escaped.
//
// Adding is idempotent: an entry whose repository, tag and new digest are
// already recorded anywhere in the file is not added again. Nothing else in
// the file changes.
package changelog

import (
	"github.com/pinner-dev/pinner/internal/imageref"

	"fmt"
	"strings"
	"time"
	"unicode"
)

// Entry is one image whose digest changed.
type Entry struct {
	Repository string // normalised: "docker.io/library/busybox"
	Tag        string
	// Old are the previous digests ("" for none).
	Old []string
	New string
	// Files are the files edited, slash-separated.
	Files []string
	// OldTag is the tag the sites had when it moves; "" when it stays.
	OldTag string
	// Class is the step: "digest", "patch", "minor" or "major"; "" is
	// digest.
	Class string
	// Notes links the release notes of the new image; "" for none.
	Notes string
}

// Header starts a changelog pinner creates.
const Header = "# Changelog\n\nContainer image updates recorded by pinner.\n"

// ShortDigest is imageref.ShortDigest, or "none" for no digest.
func ShortDigest(d string) string {
	if d == "" {
		return "none"
	}
	return imageref.ShortDigest(d)
}

func heading(day time.Time) string { return "## Images " + day.Format(time.DateOnly) }

func line(e Entry) string {
	olds := make([]string, len(e.Old))
	for i, d := range e.Old {
		olds[i] = code(ShortDigest(d))
		if d == "" {
			olds[i] = "none"
		}
	}
	if len(olds) == 0 {
		olds = []string{"none"}
	}
	files := make([]string, len(e.Files))
	for i, f := range e.Files {
		files[i] = fileName(f)
	}
	l := fmt.Sprintf("- %s tag %s: %s → %s (%s)", code(e.Repository), tags(e),
		strings.Join(olds, ", "), code(ShortDigest(e.New)), strings.Join(files, ", "))
	var extra []string
	if e.Class != "" {
		extra = append(extra, e.Class)
	}
	if e.Notes != "" {
		extra = append(extra, "[release notes]("+e.Notes+")")
	}
	if len(extra) > 0 {
		l += " — " + strings.Join(extra, ", ")
	}
	return l
}

// tags is the entry's tag, or "`old` → `new`" when it moved.
func tags(e Entry) string {
	if e.OldTag != "" && e.OldTag != e.Tag {
		return code(e.OldTag) + " → " + code(e.Tag)
	}
	return code(e.Tag)
}

// code is s as a Markdown code span: control characters (a newline would
// end the line, and the list with it) shown escaped, and a fence of more
// backticks than s holds in a row, so that s cannot close it.
func code(s string) string {
	s = escapeControl(s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// escapeControl writes control characters and backslashes the way Go
// strings do (\n, \t, \u001b, \\), so that every name reads back
// unambiguously.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fileName is a file name for the changelog's plain text: as it is when
// it is made of letters, digits and /.+-@=~ (and underscores before a
// letter or digit, which can never close an emphasis), else as a code
// span. A name with a newline, a backtick or brackets would otherwise
// write Markdown of its own into the changelog.
func fileName(f string) string {
	rs := []rune(f)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), strings.ContainsRune("/.+-@=~", r):
		case r == '_' && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])):
		default:
			return code(f)
		}
	}
	if f == "" {
		return code(f)
	}
	return f
}

// cell is s for a cell of a Markdown table: a pipe would end the cell,
// even inside a code span, unless escaped.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// recorded reports whether text already holds an entry for e's repository,
// tag and new digest.
func recorded(text string, e Entry) bool {
	prefix := "- " + code(e.Repository) + " tag "
	tag := code(e.Tag) + ":"
	arrow := "→ " + code(ShortDigest(e.New))
	for l := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(l, prefix)
		if ok && (strings.HasPrefix(rest, tag) || strings.Contains(rest, " → "+tag)) && strings.Contains(l, arrow) {
			return true
		}
	}
	return false
}

// Add returns the changelog old (nil when the file does not exist) with
// entries recorded under day's heading. It returns old unchanged when every
// entry is already there.
func Add(old []byte, day time.Time, entries []Entry) []byte {
	text := string(old)
	var lines []string
	for _, e := range entries {
		if !recorded(text, e) {
			lines = append(lines, line(e))
		}
	}
	if len(lines) == 0 {
		return old
	}
	block := strings.Join(lines, "\n") + "\n"
	if old == nil {
		return []byte(Header + "\n" + heading(day) + "\n\n" + block)
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}

	// Today's section exists: add at its end, after its last list item.
	h := heading(day)
	if start, ok := headingAt(text, h); ok {
		body := start + len(h) + 1
		end := len(text)
		if next, ok := nextHeading(text, body); ok {
			end = next
		}
		sec := text[body:end]
		trimmed := strings.TrimRight(sec, "\n")
		rest := sec[len(trimmed):]
		if rest == "" {
			rest = "\n"
		}
		return []byte(text[:body] + trimmed + "\n" + block + strings.TrimPrefix(rest, "\n") + text[end:])
	}

	// A new section before the first second-level heading, or at the end.
	section := h + "\n\n" + block
	if at, ok := nextHeading(text, 0); ok {
		return []byte(text[:at] + section + "\n" + text[at:])
	}
	sep := "\n"
	if strings.HasSuffix(text, "\n\n") || text == "" {
		sep = ""
	}
	return []byte(text + sep + section)
}

// headingAt finds a line that is exactly h.
func headingAt(text, h string) (int, bool) {
	off := 0
	for l := range strings.Lines(text) {
		if strings.TrimRight(l, "\r\n") == h {
			return off, true
		}
		off += len(l)
	}
	return 0, false
}

// nextHeading finds the first "## " heading line at or after from (which
// must be the start of a line), outside fenced code blocks.
func nextHeading(text string, from int) (int, bool) {
	off := from
	fenced := false
	for l := range strings.Lines(text[from:]) {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(l, "## ") {
			return off, true
		}
		off += len(l)
	}
	return 0, false
}

// classOrder is the order of the PR body's groups: the biggest steps,
// which most need a look, first.
var classOrder = []string{"major", "minor", "patch", "digest"}

// PRBody formats entries as the Markdown description of a pull request.
// When the entries name their classes, they are grouped under a
// "### <class> (<count>)" heading each, majors first, so that a workflow
// can tell from the body whether a pull request holds anything but
// digest updates.
func PRBody(entries []Entry) string {
	var b strings.Builder
	if len(entries) == 0 {
		b.WriteString("pinner update: no image digest changed.\n")
		return b.String()
	}
	s := "s"
	if len(entries) == 1 {
		s = ""
	}
	groups := map[string][]Entry{}
	classed := false
	for _, e := range entries {
		c := e.Class
		if c == "" {
			c = "digest"
		} else {
			classed = true
		}
		groups[c] = append(groups[c], e)
	}
	if !classed {
		fmt.Fprintf(&b, "pinner update: %d image%s pinned to new digests.\n\n", len(entries), s)
		table(&b, entries)
		return b.String()
	}
	var counts []string
	for _, c := range classOrder {
		if n := len(groups[c]); n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, c))
		}
	}
	fmt.Fprintf(&b, "pinner update: %d image%s pinned to new digests (%s).\n", len(entries), s, strings.Join(counts, ", "))
	for _, c := range classOrder {
		if len(groups[c]) > 0 {
			fmt.Fprintf(&b, "\n### %s (%d)\n\n", c, len(groups[c]))
			table(&b, groups[c])
		}
	}
	return b.String()
}

func table(b *strings.Builder, entries []Entry) {
	b.WriteString("| Image | Tag | Old digest | New digest | Files |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, e := range entries {
		olds := make([]string, 0, len(e.Old))
		for _, d := range e.Old {
			if d == "" {
				olds = append(olds, "none")
			} else {
				olds = append(olds, code(ShortDigest(d)))
			}
		}
		files := make([]string, len(e.Files))
		for i, f := range e.Files {
			files[i] = cell(code(f))
		}
		tag := cell(tags(e))
		if e.Notes != "" {
			tag += " ([release notes](" + e.Notes + "))"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", code(e.Repository), tag,
			strings.Join(olds, ", "), code(ShortDigest(e.New)), strings.Join(files, "<br>"))
	}
}
