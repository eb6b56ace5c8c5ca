package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

// expectedRow is one row of the "Image sites" table of
// modules-fixtures/EXPECTED.md, written by hand from the fixtures.
type expectedRow struct {
	Pos      string // file:line:col, file relative to modules/kubenix/
	Form     string
	Ref      string // normalised, as EXPECTED.md writes it
	Pinned   bool
	Editable bool
}

var rowRE = regexp.MustCompile("^\\| *\\d+ *\\| *`([^`]+)` *\\| *(\\w+) *\\| *`[^`]*` *\\| *`([^`]+)` *\\| *(yes|no) *\\| *(yes|no) *\\|")

func readExpected(t *testing.T) []expectedRow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixturesDir, "EXPECTED.md"))
	if err != nil {
		t.Fatalf("reading EXPECTED.md: %v", err)
	}
	_, table, ok := strings.Cut(string(data), "## Image sites")
	if !ok {
		t.Fatal(`EXPECTED.md has no "## Image sites" section`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var rows []expectedRow
	for _, line := range strings.Split(table, "\n") {
		m := rowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows = append(rows, expectedRow{
			Pos: m[1], Form: m[2], Ref: strings.TrimPrefix(m[3], "(unresolved) "),
			Pinned: m[4] == "yes", Editable: m[5] == "yes",
		})
	}
	if len(rows) == 0 {
		t.Fatal("no rows in EXPECTED.md's site table")
	}
	return rows
}

// TestExpected checks the scanner against the fixture author's table. The
// table writes references normalised; Site.Ref keeps the user's spelling,
// so it is normalised here before comparing.
func TestExpected(t *testing.T) {
	want := readExpected(t)
	var got []expectedRow
	for _, path := range fixtureFiles(t) {
		rel, sites := scanFixture(t, path)
		rel = strings.TrimPrefix(rel, "modules/kubenix/")
		for _, s := range sites {
			if s.Form == FormChart {
				continue // charts are no image sites; chart_test.go holds them
			}
			ref := s.Ref
			if s.Image.Written != "" {
				if s.Image.Written != s.Ref {
					t.Errorf("%s: Image.Written = %q, Ref = %q", s.Position(), s.Image.Written, s.Ref)
				}
				ref = s.Image.Normalized()
			}
			got = append(got, expectedRow{
				Pos: fmt.Sprintf("%s:%d:%d", rel, s.Line, s.Column), Form: string(s.Form),
				Ref: ref, Pinned: s.Pinned, Editable: s.Editable,
			})
		}
	}
	byPos := func(a, b expectedRow) int { return strings.Compare(a.Pos, b.Pos) }
	slices.SortFunc(want, byPos)
	slices.SortFunc(got, byPos)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sites differ from EXPECTED.md (-want +got):\n%s", diff)
	}
	t.Logf("%d sites match EXPECTED.md", len(got))
}

var tagVarRE = regexp.MustCompile("^\\| *`([^`]+)` *\\| *`([^`]+)` *\\| *[^|]*\\| *(shared by different|single repository)")

// TestExpectedTagVariables checks what a rewriter needs for tags bound to
// variables: every site using the variable locates its binding literal,
// and the sites tell shared-by-different-repositories apart.
func TestExpectedTagVariables(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixturesDir, "EXPECTED.md"))
	if err != nil {
		t.Fatalf("reading EXPECTED.md: %v", err)
	}
	_, table, _ := strings.Cut(string(data), "## Tag variables")
	table, _, _ = strings.Cut(table, "\n## ")
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		m := tagVarRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		pos, variable, shared := m[1], m[2], m[3] == "shared by different"
		file, _, _ := strings.Cut(pos, ":")
		path := filepath.Join(fixturesDir, "modules", "kubenix", filepath.FromSlash(file))
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := syntax.Parse(file, src)
		if err != nil {
			t.Fatal(err)
		}
		repos := map[string]bool{}
		uses := 0
		for _, s := range File(f) {
			if s.Edit.Tag == nil || s.Edit.Tag.Var != variable {
				continue
			}
			uses++
			p := f.Position(s.Edit.Tag.Literal.Start)
			if got := fmt.Sprintf("%s:%d:%d", file, p.Line, p.Column); got != pos {
				t.Errorf("%s: tag literal of %s at %s, want %s", s.Position(), variable, got, pos)
			}
			if len(s.Edit.Tag.Uses) == 0 {
				t.Errorf("%s: no uses recorded for %s", s.Position(), variable)
			}
			r, _ := imageref.Parse(s.Ref)
			repos[r.Context()] = true
		}
		if uses == 0 {
			t.Errorf("%s: no site takes its tag from %s", pos, variable)
		}
		if got := len(repos) > 1; got != shared {
			t.Errorf("%s: %s shared by different repositories = %v, want %v", pos, variable, got, shared)
		}
	}
	if rows == 0 {
		t.Fatal("no rows in EXPECTED.md's tag variable table")
	}
}
