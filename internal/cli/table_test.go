package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/pinner-dev/pinner/internal/testutil/tmux"
)

var tableRows = [][]string{
	{"LOCATION", "FORM", "REFERENCE", "PINNED", "NOTE"},
	{"modules/kubenix/applications/media-server/jellyfin.nix:12:5", "string", "ghcr.io/josevictorferreira/jellyfin-with-hardware-acceleration:10.10.7@sha256:0a1b2c3d4e5f…", "yes", ""},
	{"modules/kubenix/apps/b.nix:3:7", "derived", "docker.io/library/busybox:1.37", "no", "not editable: derived from modules/kubenix/apps/b.nix:1:9, which is pinned instead"},
	{"modules/kubenix/日本語/c.nix:1:1", "attrset", "quay.io/x/y:1", "no", ""},
}

// TestFitTable: without a width the table is what text/tabwriter wrote;
// with one, every line fits, the cut columns keep their start (the
// reference, the note) or their end (the file and line), and the short
// columns stay whole.
func TestFitTable(t *testing.T) {
	// tabwriter counts runes, not columns: compare the ASCII rows.
	ascii := tableRows[:3]
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	for _, r := range ascii {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	cuts := []cut{cutStart, keep, cutEnd, keep, cutEnd}
	if got := fitTable(ascii, cuts, 0); got != buf.String() {
		t.Errorf("no width: got\n%s\nwant\n%s", got, buf.String())
	}
	if got := fitTable(ascii, cuts, 1000); got != buf.String() {
		t.Errorf("wide enough: got\n%s", got)
	}
	// Wide characters take two columns: the next column still lines up.
	lines := strings.Split(fitTable(tableRows, cuts, 0), "\n")
	if a, b := runewidth.StringWidth(lines[1][:strings.Index(lines[1], "string")]), runewidth.StringWidth(lines[3][:strings.Index(lines[3], "attrset")]); a != b {
		t.Errorf("FORM starts at column %d and %d:\n%s\n%s", a, b, lines[1], lines[3])
	}
	for _, width := range []int{160, 100, 80, 60} {
		got := fitTable(tableRows, cuts, width)
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if len(lines) != len(tableRows) {
			t.Fatalf("width %d: %d lines", width, len(lines))
		}
		for _, l := range lines {
			if w := runewidth.StringWidth(l); w > width {
				t.Errorf("width %d: a line of %d columns: %q", width, w, l)
			}
		}
		wants := []string{"LOCATION", "…", "derived", "attrset", "yes", "c.nix:1:1"}
		if width >= 100 {
			wants = append(wants, "jellyfin.nix:12:5", "ghcr.io/josevic", "not editable")
		}
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("width %d lacks %q:\n%s", width, want, got)
			}
		}
	}
	// Narrower than the columns can go: cut to their floor, wider than
	// asked rather than unreadable.
	if got := fitTable(tableRows, cuts, 20); !strings.Contains(got, "LOCATION") || !strings.Contains(got, "REFERENCE") {
		t.Errorf("width 20:\n%s", got)
	}
}

// TestScanFitsTheTerminal runs pinner scan in a real 100-column terminal:
// each site is one screen row (rows of a homelab reached 261 columns and
// wrapped on a 160-column terminal); through a pipe the rows stay whole,
// unless COLUMNS says otherwise.
func TestScanFitsTheTerminal(t *testing.T) {
	files := map[string]string{}
	long := "modules/kubenix/applications/media-server-with-a-long-directory-name/"
	for i := range 6 {
		files[fmt.Sprintf("%sapp%d.nix", long, i)] = fmt.Sprintf("{ registry }: {\n  a.image = \"ghcr.io/josevictorferreira/an-image-with-a-very-long-name-%d:10.10.%d\";\n  b.image = \"${registry}/another-image-with-a-long-name:1\";\n}\n", i, i)
	}
	files["registry.yaml"] = "version: 1\n"
	dir := writeFiles(t, files)
	bin := pinnerBinary(t)
	s := tmux.Start(t, 100, 40, dir)
	rows, code := s.Run(bin+" scan", 20*time.Second)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, strings.Join(rows, "\n"))
	}
	// Between the command and its exit status, one screen row per table
	// row: a row wider than the terminal would take two.
	var table []string
	for i, r := range rows {
		if strings.Contains(r, "; echo") {
			for _, r := range rows[i+1:] {
				if strings.HasPrefix(r, "exit-") {
					break
				}
				table = append(table, r)
			}
			break
		}
	}
	if len(table) != 1+12 || !strings.HasPrefix(table[0], "LOCATION") {
		t.Errorf("%d screen rows, want 13 (a header and 12 sites):\n%s", len(table), strings.Join(rows, "\n"))
	}
	for _, r := range table[1:] {
		if !strings.HasPrefix(r, "…") || !strings.Contains(r, "app") {
			t.Errorf("a row that is not a site's: %q", r)
		}
	}

	// A pipe gets whole rows; COLUMNS fits them to it.
	out := filepath.Join(t.TempDir(), "out")
	if _, code := s.Run(bin+" scan >"+out, 20*time.Second); code != 0 {
		t.Fatal("scan to a file failed")
	}
	if got := readFile(t, out); !strings.Contains(got, long+"app0.nix:2:13") || !strings.Contains(got, "an-image-with-a-very-long-name-0:10.10.0") {
		t.Errorf("to a file, rows are cut:\n%s", got)
	}
	if _, code := s.Run("COLUMNS=80 "+bin+" scan >"+out, 20*time.Second); code != 0 {
		t.Fatal("scan with COLUMNS failed")
	}
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, out)), "\n") {
		if w := runewidth.StringWidth(l); w > 80 {
			t.Errorf("COLUMNS=80: a row of %d columns: %q", w, l)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
