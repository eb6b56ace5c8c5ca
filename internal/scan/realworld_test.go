package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/imageref"
)

// realworldDir holds modules written in the styles of public repositories
// (kubenix, nixidy, easykubenix, NixOS k3s hosts, option libraries, CRDs),
// each style with the scan its author expects in EXPECTED.md.
const realworldDir = "testdata/realworld"

var pullRowRE = regexp.MustCompile("^\\| *`([^`]+:\\d+:\\d+)` *\\| *`([^`]+)`")

var nearMissRE = regexp.MustCompile("^\\| *`([^`]+:\\d+:\\d+)` *\\| *`")

// readTable returns the lines of the table under heading in an EXPECTED.md.
func readTable(data, heading string) []string {
	_, table, ok := strings.Cut(data, "\n"+heading)
	if !ok {
		return nil
	}
	table, _, _ = strings.Cut(table, "\n## ")
	return strings.Split(table, "\n")
}

// TestRealWorld holds the scanner to each style's EXPECTED.md: the same
// sites (position, form, normalised reference, pinned, editable), and no
// site at a near-miss.
func TestRealWorld(t *testing.T) {
	styles, err := filepath.Glob(filepath.Join(realworldDir, "*", "EXPECTED.md"))
	if err != nil || len(styles) == 0 {
		t.Fatalf("no styles under %s: %v", realworldDir, err)
	}
	total := 0
	for _, exp := range styles {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(exp)
			if err != nil {
				t.Fatal(err)
			}
			var want []expectedRow
			for _, line := range readTable(string(data), "## Image sites") {
				m := rowRE.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				want = append(want, expectedRow{
					Pos: m[1], Form: m[2], Ref: normalized(m[2], strings.TrimPrefix(m[3], "(unresolved) ")),
					Pinned: m[4] == "yes", Editable: m[5] == "yes",
				})
			}
			if len(want) == 0 {
				t.Fatal("no rows in the site table")
			}
			// Pulled images: always pinned, their hash recomputed by Nix (not
			// nix2container's, whose hash pinner does not compute).
			for _, line := range readTable(string(data), "## Pull sites") {
				if m := pullRowRE.FindStringSubmatch(line); m != nil {
					want = append(want, expectedRow{Pos: m[1], Form: string(FormPull), Ref: normalized(string(FormPull), m[2]), Pinned: true, Editable: !strings.Contains(line, "`nix2container.pullImage`")})
				}
			}
			near := map[string]bool{}
			for _, line := range readTable(string(data), "## Near-misses") {
				if m := nearMissRE.FindStringSubmatch(line); m != nil {
					near[m[1]] = true
				}
			}
			sites, errs, err := Files(context.Background(), []string{dir}, 2)
			if err != nil || len(errs) > 0 {
				t.Fatalf("scanning: %v %v", err, errs)
			}
			var got []expectedRow
			for _, s := range sites {
				if s.Form == FormChart {
					continue // charts are no image sites; chart_test.go holds them
				}
				rel, _ := filepath.Rel(dir, s.File)
				pos := fmt.Sprintf("%s:%d:%d", filepath.ToSlash(rel), s.Line, s.Column)
				ref := s.Ref
				if s.Image.Written != "" {
					ref = s.Image.Normalized()
				}
				got = append(got, expectedRow{Pos: pos, Form: string(s.Form), Ref: ref, Pinned: s.Pinned, Editable: s.Editable})
				if near[pos] {
					t.Errorf("%s: a site at a near-miss: %s %s", pos, s.Form, s.Ref)
				}
			}
			byPos := func(a, b expectedRow) int { return strings.Compare(a.Pos, b.Pos) }
			slices.SortFunc(want, byPos)
			slices.SortFunc(got, byPos)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("sites differ from %s (-want +got):\n%s", exp, diff)
			}
			t.Logf("%d sites, %d near-misses", len(want), len(near))
			total += len(want)
		})
	}
	t.Logf("%d sites in %d styles", total, len(styles))
}

// normalized is ref as imageref normalises it, when it parses and is a
// whole reference.
func normalized(form, ref string) string {
	if r, err := imageref.Parse(ref); err == nil && form != string(FormPartial) {
		return r.Normalized()
	}
	return ref
}
