package changelog

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	day  = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	next = day.AddDate(0, 0, 1)
	hexA = strings.Repeat("a", 64)
	hexB = strings.Repeat("b", 64)
	hexC = strings.Repeat("c", 64)
)

var busybox = Entry{Repository: "docker.io/library/busybox", Tag: "1.37", Old: []string{""}, New: "sha256:" + hexA, Files: []string{"modules/kubenix/a.nix"}}

func TestAddCreates(t *testing.T) {
	got := string(Add(nil, day, []Entry{busybox}))
	want := Header + "\n## Images 2026-11-26\n\n- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	once := Add(nil, day, []Entry{busybox})
	if twice := Add(once, next, []Entry{busybox}); string(twice) != string(once) {
		t.Errorf("adding the same entry again changed the file:\n%s", twice)
	}
}

func TestAddKeepsTheRest(t *testing.T) {
	old := "# Changes\n\nIntro.\n\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n"
	gluetun := Entry{Repository: "ghcr.io/qdm12/gluetun", Tag: "v3.40.0", Old: []string{"sha256:" + hexB}, New: "sha256:" + hexC, Files: []string{"b.nix", "c.nix"}}
	got := string(Add([]byte(old), day, []Entry{busybox}))
	want := "# Changes\n\nIntro.\n\n## Images 2026-11-26\n\n- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	// Same day: into the same section.
	got = string(Add([]byte(got), day, []Entry{gluetun}))
	want = "# Changes\n\nIntro.\n\n## Images 2026-11-26\n\n- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n- `ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:bbbbbbbbbbbb` → `sha256:cccccccccccc` (b.nix, c.nix)\n\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("same day (-want +got):\n%s", diff)
	}
	// Next day, a new digest: a new section on top.
	gluetun.Old, gluetun.New = []string{gluetun.New}, "sha256:"+hexA
	got = string(Add([]byte(got), next, []Entry{gluetun}))
	if !strings.HasPrefix(got, "# Changes\n\nIntro.\n\n## Images 2026-11-27\n\n- `ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:cccccccccccc` → `sha256:aaaaaaaaaaaa` (b.nix, c.nix)\n\n## Images 2026-11-26\n") {
		t.Errorf("next day:\n%s", got)
	}
	if !strings.HasSuffix(got, "\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n") {
		t.Errorf("the rest of the file changed:\n%s", got)
	}
}

func TestAddWithoutHeadings(t *testing.T) {
	got := string(Add([]byte("# Log\n"), day, []Entry{busybox}))
	want := "# Log\n\n## Images 2026-11-26\n\n- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPRBody(t *testing.T) {
	got := PRBody([]Entry{busybox})
	want := "pinner update: 1 image pinned to new digests.\n\n| Image | Tag | Old digest | New digest | Files |\n|---|---|---|---|---|\n| `docker.io/library/busybox` | `1.37` | none | `sha256:aaaaaaaaaaaa` | `modules/kubenix/a.nix` |\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := PRBody(nil); !strings.Contains(got, "no image digest changed") {
		t.Errorf("empty body: %q", got)
	}
}

// TestFileNamesCannotWriteMarkdown: a file name with a newline, a
// backtick, a pipe, brackets or emphasis marks stays one name in one line
// of the changelog and one cell of the PR body's table; ordinary names
// are written as before.
func TestFileNamesCannotWriteMarkdown(t *testing.T) {
	evil := []string{
		"modules/a.nix\n\n## Images 1999-01-01\n\n- [click](https://evil.example).nix",
		"modules/b`c``d.nix",
		"modules/x|y.nix",
		"modules/_a_.nix",
		"modules/tab\there\x1b.nix",
		"modules/back\\slash.nix",
	}
	e := Entry{Repository: "docker.io/library/busybox", Tag: "1.37", Old: []string{""}, New: "sha256:" + hexA, Files: evil}
	log := string(Add(nil, day, []Entry{e}))
	if n := strings.Count(log, "\n## "); n != 1 {
		t.Errorf("%d headings, want 1:\n%s", n, log)
	}
	if n := strings.Count(log, "\n- "); n != 1 {
		t.Errorf("%d list items, want 1:\n%s", n, log)
	}
	for _, want := range []string{
		"`modules/a.nix\\n\\n## Images 1999-01-01\\n\\n- [click](https://evil.example).nix`",
		"```modules/b`c``d.nix```",
		"`modules/x|y.nix`",
		"`modules/_a_.nix`",
		"`modules/tab\\there\\u001b.nix`",
		"`modules/back\\\\slash.nix`",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("changelog lacks %s:\n%s", want, log)
		}
	}
	body := PRBody([]Entry{e})
	rows := strings.Split(strings.TrimSpace(body), "\n")
	last := rows[len(rows)-1]
	if len(rows) != 5 || strings.Count(last, " | ")-strings.Count(last, `\| `) != 4 {
		t.Errorf("the table is not one row of five cells:\n%s", body)
	}
	if !strings.Contains(last, "`modules/x\\|y.nix`") {
		t.Errorf("the pipe is not escaped in the cell: %s", last)
	}

	plain := Entry{Repository: "docker.io/library/busybox", Tag: "1.37", Old: []string{""}, New: "sha256:" + hexA,
		Files: []string{"modules/kubenix/apps/_alarm-server.nix", "modules/kubenix/app-1.2+b@x.nix"}}
	if got := string(Add(nil, day, []Entry{plain})); !strings.Contains(got, "(modules/kubenix/apps/_alarm-server.nix, modules/kubenix/app-1.2+b@x.nix)\n") {
		t.Errorf("ordinary names changed:\n%s", got)
	}
}

// TestMovesAndClasses: an entry names its class and, when its tag moved,
// "old → new" and the release notes; adding it again is a no-op; the PR
// body groups the entries by class, majors first.
func TestMovesAndClasses(t *testing.T) {
	pg := Entry{Repository: "docker.io/bitnami/postgresql", OldTag: "17.6.0-debian-12-r5", Tag: "18.0.0-debian-12-r1",
		Old: []string{"sha256:" + hexB}, New: "sha256:" + hexC, Files: []string{"db.nix"}, Class: "major",
		Notes: "https://github.com/bitnami/containers/compare/17.6.0...18.0.0"}
	app := Entry{Repository: "ghcr.io/x/app", OldTag: "1.2.3", Tag: "1.2.6", Old: []string{""}, New: "sha256:" + hexA, Files: []string{"a.nix"}, Class: "patch"}
	box := busybox
	box.Class = "digest"
	log := string(Add(nil, day, []Entry{pg, app, box}))
	for _, want := range []string{
		"- `docker.io/bitnami/postgresql` tag `17.6.0-debian-12-r5` → `18.0.0-debian-12-r1`: `sha256:bbbbbbbbbbbb` → `sha256:cccccccccccc` (db.nix) — major, [release notes](https://github.com/bitnami/containers/compare/17.6.0...18.0.0)\n",
		"- `ghcr.io/x/app` tag `1.2.3` → `1.2.6`: none → `sha256:aaaaaaaaaaaa` (a.nix) — patch\n",
		"- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix) — digest\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("changelog lacks\n%s\nin\n%s", want, log)
		}
	}
	if again := string(Add([]byte(log), next, []Entry{pg, app, box})); again != log {
		t.Errorf("adding the same moves again changed the file:\n%s", again)
	}

	body := PRBody([]Entry{app, box, pg})
	want := "pinner update: 3 images pinned to new digests (1 major, 1 patch, 1 digest).\n" +
		"\n### major (1)\n\n| Image | Tag | Old digest | New digest | Files |\n|---|---|---|---|---|\n" +
		"| `docker.io/bitnami/postgresql` | `17.6.0-debian-12-r5` → `18.0.0-debian-12-r1` ([release notes](https://github.com/bitnami/containers/compare/17.6.0...18.0.0)) | `sha256:bbbbbbbbbbbb` | `sha256:cccccccccccc` | `db.nix` |\n" +
		"\n### patch (1)\n\n| Image | Tag | Old digest | New digest | Files |\n|---|---|---|---|---|\n" +
		"| `ghcr.io/x/app` | `1.2.3` → `1.2.6` | none | `sha256:aaaaaaaaaaaa` | `a.nix` |\n" +
		"\n### digest (1)\n\n| Image | Tag | Old digest | New digest | Files |\n|---|---|---|---|---|\n" +
		"| `docker.io/library/busybox` | `1.37` | none | `sha256:aaaaaaaaaaaa` | `modules/kubenix/a.nix` |\n"
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("PR body (-want +got):\n%s", diff)
	}
}
