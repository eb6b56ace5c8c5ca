// Package changelog records image updates in a Markdown changelog and
// formats them as a pull request description.
//
// # Format
//
// Each run that changes an image adds its entries under a dated heading,
// newest first, every entry stamped with the run's time (UTC):
//
//	## Images 2026-11-26
//
//	- 2026-11-26 09:00Z `docker.io/library/busybox` tag `1.37`: first pin `sha256:4b4d3ac8c1f0` (modules/kubenix/apps/busybox-jobs.nix)
//	- 2026-11-26 09:00Z `ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:0a1b2c3d4e5f` → `sha256:99aa88bb77cc` (modules/kubenix/apps/qbittorrent.nix)
//	- 2026-11-26 09:00Z `ghcr.io/me/app` tag `4f1c2d9` → `be867c4`: `sha256:5e6f7a8b9c0d` → `sha256:1a2b3c4d5e6f` (modules/kubenix/apps/app.nix)
//	- 2026-11-26 09:00Z `ghcr.io/x/app` tag `1.2.3` → `1.3.0`: `sha256:0a1b2c3d4e5f` → `sha256:99aa88bb77cc` (modules/kubenix/apps/app.nix) — minor, [release notes](https://github.com/x/app/compare/v1.2.3...v1.3.0)
//
// An entry says what changed: a first pin, a digest that moves, or a
// re-tag (old tag → new tag, with the digest's move, or "digest …
// unchanged"); an entry that changes nothing is never written.
//
// An entry that a policy classed names its class (digest, patch, minor,
// major), and links the new image's release notes when it can.
//
// A dated heading of its own, rather than a section inside Keep a
// Changelog's "## [Unreleased]", because a homelab repository's changelog
// has no releases: image updates are the events, and the date is what one
// looks for. The section goes before the first "## " heading (after the
// title and introduction); a second run on the same day adds to the
// existing section. Digests are shortened to 12 hex digits. File names are
// written as they are when they hold nothing Markdown could read as
// markup, else as code spans with control characters escaped (a newline in
// a name once wrote a heading of its own); in the PR body's table every
// name is a code span, its pipes escaped.
//
// Adding is idempotent: an entry whose repository, tag and new digest are
// already recorded anywhere in the file (also in the format before times
// were written) is not added again. Nothing else in the file changes.
package changelog

import (
	"github.com/pinner-dev/pinner/internal/imageref"

	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Version is what a site of an image names: a tag and a digest.
type Version struct {
	Tag    string // "" for a digest alone
	Digest string // "" when not pinned
}

// Entry is one change of an image: the version its sites had, the one
// they have now, and the files edited.
type Entry struct {
	Repository string // normalised: "docker.io/library/busybox"
	Old, New   Version
	// Files are the files edited, slash-separated.
	Files []string
	// Source names the Helm release and chart of a chart default ("" for
	// a site of the modules).
	Source string
	// Class is the step a policy allowed: "digest", "patch", "minor" or
	// "major"; "" when none was decided (a digest).
	Class string
	// Notes links the release notes of the new image; "" for none.
	Notes string
	// Chart: the entry is a chart fetch's. Repository is the chart's
	// repository and name, the tags are versions and the digests the
	// fetch's Nix hashes.
	Chart bool
}

// Kind is what an Entry changes.
type Kind int

const (
	// FirstPin: the tag stays, and had no digest before.
	FirstPin Kind = iota
	// NewDigest: the tag stays, its digest moves.
	NewDigest
	// NewTag: the sites are re-tagged, with or without a new digest.
	NewTag
	// Unchanged: nothing differs (never written).
	Unchanged
)

// Kind says what e changes.
func (e Entry) Kind() Kind {
	switch {
	case e.Old.Tag != e.New.Tag:
		return NewTag
	case e.Old.Digest == e.New.Digest:
		return Unchanged
	case e.Old.Digest == "":
		return FirstPin
	}
	return NewDigest
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

func heading(at time.Time) string { return "## Images " + at.UTC().Format(time.DateOnly) }

// Stamp is the time written on every entry: UTC, to the minute.
func Stamp(at time.Time) string { return at.UTC().Format("2006-01-02 15:04Z") }

// tagChange is "tag `1.37`", or "tag `1.0` → `be867c4`" for a re-tag.
func tagChange(e Entry) string {
	what := "tag "
	if e.Chart {
		what = "chart version "
	}
	if e.Kind() != NewTag {
		return what + tagName(e.New.Tag)
	}
	return what + tagName(e.Old.Tag) + " → " + tagName(e.New.Tag)
}

// shortHash is a Nix hash cut like a digest: its algorithm and twelve
// characters.
func shortHash(h string) string {
	algo, rest, ok := strings.Cut(h, "-")
	if !ok {
		algo, rest = "", h
	} else {
		algo += "-"
	}
	if len(rest) > 12 {
		rest = rest[:12] + "…"
	}
	return algo + rest
}

func tagName(t string) string {
	if t == "" {
		return "none"
	}
	return code(t)
}

// digestChange is "first pin `sha256:…`", "`sha256:…` → `sha256:…`", or,
// for a re-tag that keeps its digest, "digest `sha256:…` unchanged".
func digestChange(e Entry) string {
	if e.Chart {
		return "hash " + code(shortHash(e.Old.Digest)) + " → " + code(shortHash(e.New.Digest))
	}
	switch {
	case e.Old.Digest == e.New.Digest:
		return "digest " + code(ShortDigest(e.New.Digest)) + " unchanged"
	case e.Old.Digest == "":
		return "first pin " + code(ShortDigest(e.New.Digest))
	}
	return code(ShortDigest(e.Old.Digest)) + " → " + code(ShortDigest(e.New.Digest))
}

func line(at time.Time, e Entry) string {
	files := make([]string, len(e.Files))
	for i, f := range e.Files {
		files[i] = fileName(f)
	}
	if e.Source != "" {
		files = append(files, e.Source)
	}
	l := fmt.Sprintf("- %s %s %s: %s (%s)", Stamp(at), code(e.Repository), tagChange(e),
		digestChange(e), strings.Join(files, ", "))
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

// recorded reports whether text already holds an entry for e's
// repository, new tag and new digest, in this format or the one before
// it ("- `repo` tag `1.37`: none → `sha256:…` (files)", no time).
func recorded(text string, e Entry) bool {
	repo := " " + code(e.Repository) + " tag "
	digest := code(ShortDigest(e.New.Digest))
	for l := range strings.Lines(text) {
		if !strings.HasPrefix(l, "- ") {
			continue
		}
		_, rest, ok := strings.Cut(" "+l[2:], repo)
		if !ok {
			continue
		}
		tags, changes, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if i := strings.LastIndex(tags, "→ "); i >= 0 {
			tags = tags[i+len("→ "):]
		}
		if tags != tagName(e.New.Tag) {
			continue
		}
		for _, form := range []string{"→ " + digest, "first pin " + digest, "digest " + digest + " unchanged"} {
			if strings.Contains(changes, form+" (") {
				return true
			}
		}
	}
	return false
}

// Add returns the changelog old (nil when the file does not exist) with
// entries recorded, stamped with at, under its day's heading. It returns
// old unchanged when every entry is already there (or changes nothing).
func Add(old []byte, at time.Time, entries []Entry) []byte {
	text := string(old)
	var lines []string
	for _, e := range entries {
		if e.Kind() != Unchanged && !recorded(text, e) {
			lines = append(lines, line(at, e))
		}
	}
	if len(lines) == 0 {
		return old
	}
	block := strings.Join(lines, "\n") + "\n"
	if old == nil {
		return []byte(Header + "\n" + heading(at) + "\n\n" + block)
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}

	// Today's section exists: add at its end, after its last list item.
	h := heading(at)
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

// PRBody formats entries as the Markdown description of a pull request:
// a summary that counts the rows of the tables below it (and the images
// and files they name), then one row per entry with the files it edited.
// When a policy classed the entries, they are grouped under a
// "### <class> (<count>)" heading each, majors first, so that a workflow
// can tell from the body whether a pull request holds anything but
// digest updates.
func PRBody(entries []Entry) string {
	entries = slices.DeleteFunc(slices.Clone(entries), func(e Entry) bool { return e.Kind() == Unchanged })
	var b strings.Builder
	if len(entries) == 0 {
		b.WriteString("pinner update: no image changed.\n")
		return b.String()
	}
	images, charts := map[string]bool{}, map[string]bool{}
	files := map[string]bool{}
	groups := map[string][]Entry{}
	classed := false
	var kinds [Unchanged]int
	for _, e := range entries {
		if e.Chart {
			charts[e.Repository+":"+e.New.Tag] = true
		} else {
			images[e.Repository+":"+e.New.Tag] = true
		}
		for _, f := range e.Files {
			files[f] = true
		}
		kinds[e.Kind()]++
		c := e.Class
		if c == "" {
			c = "digest"
		} else {
			classed = true
		}
		groups[c] = append(groups[c], e)
	}
	var parts []string
	for k, what := range [Unchanged][2]string{FirstPin: {"first pin", "first pins"}, NewDigest: {"new digest", "new digests"}, NewTag: {"new tag", "new tags"}} {
		if n := kinds[k]; n > 0 {
			parts = append(parts, count(n, what[0], what[1]))
		}
	}
	what := count(len(images), "image", "images")
	switch {
	case len(charts) > 0 && len(images) == 0:
		what = count(len(charts), "chart", "charts")
	case len(charts) > 0:
		what += " and " + count(len(charts), "chart", "charts")
	}
	fmt.Fprintf(&b, "pinner update: %s to %s in %s (%s).\n", count(len(entries), "change", "changes"),
		what, count(len(files), "file", "files"), strings.Join(parts, ", "))
	if !classed {
		b.WriteString("\n")
		table(&b, entries)
		return b.String()
	}
	var counts []string
	for _, c := range classOrder {
		if n := len(groups[c]); n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, c))
		}
	}
	fmt.Fprintf(&b, "By class: %s.\n", strings.Join(counts, ", "))
	for _, c := range classOrder {
		if len(groups[c]) > 0 {
			fmt.Fprintf(&b, "\n### %s (%d)\n\n", c, len(groups[c]))
			table(&b, groups[c])
		}
	}
	return b.String()
}

// table writes one row per entry: image, tag (old → new for a re-tag,
// with its release notes), the digest's change and the files edited.
func table(b *strings.Builder, entries []Entry) {
	b.WriteString("| Image | Tag | Digest | Files |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, e := range entries {
		tag := tagName(e.New.Tag)
		if e.Kind() == NewTag {
			tag = tagName(e.Old.Tag) + " → " + tag
		}
		tag = cell(tag)
		if e.Notes != "" {
			tag += " ([release notes](" + e.Notes + "))"
		}
		names := make([]string, len(e.Files))
		for i, f := range e.Files {
			names[i] = cell(code(f))
		}
		if e.Source != "" {
			names = append(names, cell(e.Source))
		}
		repo := code(e.Repository)
		if e.Chart {
			repo = "chart " + repo
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(repo), tag, cell(digestChange(e)), strings.Join(names, "<br>"))
	}
}

// count is "1 image" or "3 images".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
