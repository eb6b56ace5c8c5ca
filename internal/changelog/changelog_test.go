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

var busybox = Entry{Repository: "docker.io/library/busybox", Old: Version{Tag: "1.37"}, New: Version{Tag: "1.37", Digest: "sha256:" + hexA}, Files: []string{"modules/kubenix/a.nix"}}

// stamp is every entry's time in these tests.
const stamp = "- 2026-11-26 09:00Z "

func TestAddCreates(t *testing.T) {
	got := string(Add(nil, day, []Entry{busybox}))
	want := Header + "\n## Images 2026-11-26\n\n" + stamp + "`docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n"
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
	gluetun := Entry{Repository: "ghcr.io/qdm12/gluetun", Old: Version{"v3.40.0", "sha256:" + hexB}, New: Version{"v3.40.0", "sha256:" + hexC}, Files: []string{"b.nix", "c.nix"}}
	got := string(Add([]byte(old), day, []Entry{busybox}))
	want := "# Changes\n\nIntro.\n\n## Images 2026-11-26\n\n" + stamp + "`docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	// Same day: into the same section.
	got = string(Add([]byte(got), day, []Entry{gluetun}))
	want = "# Changes\n\nIntro.\n\n## Images 2026-11-26\n\n" + stamp + "`docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n" + stamp + "`ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:bbbbbbbbbbbb` → `sha256:cccccccccccc` (b.nix, c.nix)\n\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("same day (-want +got):\n%s", diff)
	}
	// Next day, a new digest: a new section on top.
	gluetun.Old, gluetun.New.Digest = gluetun.New, "sha256:"+hexA
	got = string(Add([]byte(got), next, []Entry{gluetun}))
	if !strings.HasPrefix(got, "# Changes\n\nIntro.\n\n## Images 2026-11-27\n\n- 2026-11-27 09:00Z `ghcr.io/qdm12/gluetun` tag `v3.40.0`: `sha256:cccccccccccc` → `sha256:aaaaaaaaaaaa` (b.nix, c.nix)\n\n## Images 2026-11-26\n") {
		t.Errorf("next day:\n%s", got)
	}
	if !strings.HasSuffix(got, "\n## [1.0.0] - 2026-01-01\n\n### Added\n- things\n") {
		t.Errorf("the rest of the file changed:\n%s", got)
	}
}

func TestAddWithoutHeadings(t *testing.T) {
	got := string(Add([]byte("# Log\n"), day, []Entry{busybox}))
	want := "# Log\n\n## Images 2026-11-26\n\n" + stamp + "`docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPRBody: the summary counts the rows of the table (and the images
// and files they name), and says what kind of change each is.
func TestPRBody(t *testing.T) {
	got := PRBody([]Entry{busybox})
	want := "pinner update: 1 change to 1 image in 1 file (1 first pin).\n\n| Image | Tag | Digest | Files |\n|---|---|---|---|\n| `docker.io/library/busybox` | `1.37` | first pin `sha256:aaaaaaaaaaaa` | `modules/kubenix/a.nix` |\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := PRBody(nil); !strings.Contains(got, "no image changed") {
		t.Errorf("empty body: %q", got)
	}

	// busybox had two digests in two files: two rows, one image.
	moved := Entry{Repository: "docker.io/library/busybox", Old: Version{"1.37", "sha256:" + hexB}, New: busybox.New, Files: []string{"modules/kubenix/b.nix"}}
	app := Entry{Repository: "ghcr.io/me/app", Old: Version{"4f1c2d9", "sha256:" + hexC}, New: Version{"be867c4", "sha256:" + hexC}, Files: []string{"modules/kubenix/a.nix", "modules/kubenix/c.nix"}}
	same := Entry{Repository: "ghcr.io/me/same", Old: Version{"1", "sha256:" + hexC}, New: Version{"1", "sha256:" + hexC}, Files: []string{"modules/kubenix/d.nix"}}
	got = PRBody([]Entry{busybox, moved, app, same})
	want = "pinner update: 3 changes to 2 images in 3 files (1 first pin, 1 new digest, 1 new tag).\n\n" +
		"| Image | Tag | Digest | Files |\n|---|---|---|---|\n" +
		"| `docker.io/library/busybox` | `1.37` | first pin `sha256:aaaaaaaaaaaa` | `modules/kubenix/a.nix` |\n" +
		"| `docker.io/library/busybox` | `1.37` | `sha256:bbbbbbbbbbbb` → `sha256:aaaaaaaaaaaa` | `modules/kubenix/b.nix` |\n" +
		"| `ghcr.io/me/app` | `4f1c2d9` → `be867c4` | digest `sha256:cccccccccccc` unchanged | `modules/kubenix/a.nix`<br>`modules/kubenix/c.nix` |\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEntryShowsWhatChanged: a re-tag reads "old tag → new tag" with the
// digest's move (a re-tag used to read "tag `be867c4`: none → …", the old
// tag lost), a re-tag that keeps the digest says so rather than "D → D",
// and an entry that changes nothing is not written.
func TestEntryShowsWhatChanged(t *testing.T) {
	const repo = "ghcr.io/me/app"
	files := []string{"modules/kubenix/app.nix"}
	tests := []struct {
		name     string
		old, new Version
		want     string // "" for no entry
	}{
		{"first pin", Version{"1.0", ""}, Version{"1.0", "sha256:" + hexA}, "tag `1.0`: first pin `sha256:aaaaaaaaaaaa`"},
		{"new digest", Version{"1.0", "sha256:" + hexB}, Version{"1.0", "sha256:" + hexA}, "tag `1.0`: `sha256:bbbbbbbbbbbb` → `sha256:aaaaaaaaaaaa`"},
		{"re-tag, unpinned before", Version{"4f1c2d9", ""}, Version{"be867c4", "sha256:" + hexA}, "tag `4f1c2d9` → `be867c4`: first pin `sha256:aaaaaaaaaaaa`"},
		{"re-tag and new digest", Version{"4f1c2d9", "sha256:" + hexB}, Version{"be867c4", "sha256:" + hexA}, "tag `4f1c2d9` → `be867c4`: `sha256:bbbbbbbbbbbb` → `sha256:aaaaaaaaaaaa`"},
		{"re-tag, same digest", Version{"4f1c2d9", "sha256:" + hexA}, Version{"be867c4", "sha256:" + hexA}, "tag `4f1c2d9` → `be867c4`: digest `sha256:aaaaaaaaaaaa` unchanged"},
		{"a digest alone gains a tag", Version{"", "sha256:" + hexA}, Version{"be867c4", "sha256:" + hexA}, "tag none → `be867c4`: digest `sha256:aaaaaaaaaaaa` unchanged"},
		{"nothing changes", Version{"1.0", "sha256:" + hexA}, Version{"1.0", "sha256:" + hexA}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Entry{Repository: repo, Old: tt.old, New: tt.new, Files: files}
			got := Add([]byte("# Log\n"), day, []Entry{e})
			if tt.want == "" {
				if string(got) != "# Log\n" {
					t.Errorf("an entry that changes nothing was written:\n%s", got)
				}
				return
			}
			want := "# Log\n\n## Images 2026-11-26\n\n" + stamp + "`" + repo + "` " + tt.want + " (modules/kubenix/app.nix)\n"
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if again := Add(got, next, []Entry{e}); string(again) != string(got) {
				t.Errorf("recorded twice:\n%s", again)
			}
		})
	}
}

// TestAddTime: every entry carries the time of its run, in UTC, and runs
// of one day share their day's section.
func TestAddTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	first := Add(nil, time.Date(2026, 12, 2, 13, 34, 59, 0, berlin), []Entry{busybox})
	moved := Entry{Repository: busybox.Repository, Old: busybox.New, New: Version{"1.37", "sha256:" + hexB}, Files: busybox.Files}
	got := string(Add(first, time.Date(2026, 12, 2, 18, 5, 0, 0, time.UTC), []Entry{moved}))
	want := Header + "\n## Images 2026-12-02\n\n" +
		"- 2026-12-02 12:34Z `docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n" +
		"- 2026-12-02 18:05Z `docker.io/library/busybox` tag `1.37`: `sha256:aaaaaaaaaaaa` → `sha256:bbbbbbbbbbbb` (modules/kubenix/a.nix)\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAddRecognisesTheFormatBefore: an entry written before entries had a
// time is not written again.
func TestAddRecognisesTheFormatBefore(t *testing.T) {
	old := Header + "\n## Images 2026-11-20\n\n- `docker.io/library/busybox` tag `1.37`: none → `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix)\n"
	if got := Add([]byte(old), day, []Entry{busybox}); string(got) != old {
		t.Errorf("recorded again:\n%s", got)
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
	e := busybox
	e.Files = evil
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
	if len(rows) != 5 || strings.Count(last, " | ")-strings.Count(last, `\| `) != 3 {
		t.Errorf("the table is not one row of four cells:\n%s", body)
	}
	if !strings.Contains(last, "`modules/x\\|y.nix`") {
		t.Errorf("the pipe is not escaped in the cell: %s", last)
	}

	plain := busybox
	plain.Files = []string{"modules/kubenix/apps/_alarm-server.nix", "modules/kubenix/app-1.2+b@x.nix"}
	if got := string(Add(nil, day, []Entry{plain})); !strings.Contains(got, "(modules/kubenix/apps/_alarm-server.nix, modules/kubenix/app-1.2+b@x.nix)\n") {
		t.Errorf("ordinary names changed:\n%s", got)
	}
}

// TestMovesAndClasses: an entry names its class and, when its tag moved,
// "old → new" and the release notes; adding it again is a no-op; the PR
// body groups the entries by class, majors first.
func TestMovesAndClasses(t *testing.T) {
	pg := Entry{Repository: "docker.io/bitnami/postgresql",
		Old:   Version{Tag: "17.6.0-debian-12-r5", Digest: "sha256:" + hexB},
		New:   Version{Tag: "18.0.0-debian-12-r1", Digest: "sha256:" + hexC},
		Files: []string{"db.nix"}, Class: "major",
		Notes: "https://github.com/bitnami/containers/compare/17.6.0...18.0.0"}
	app := Entry{Repository: "ghcr.io/x/app", Old: Version{Tag: "1.2.3"}, New: Version{Tag: "1.2.6", Digest: "sha256:" + hexA},
		Files: []string{"a.nix"}, Class: "patch"}
	box := busybox
	box.Class = "digest"
	log := string(Add(nil, day, []Entry{pg, app, box}))
	for _, want := range []string{
		"- " + Stamp(day) + " `docker.io/bitnami/postgresql` tag `17.6.0-debian-12-r5` → `18.0.0-debian-12-r1`: `sha256:bbbbbbbbbbbb` → `sha256:cccccccccccc` (db.nix) — major, [release notes](https://github.com/bitnami/containers/compare/17.6.0...18.0.0)\n",
		"- " + Stamp(day) + " `ghcr.io/x/app` tag `1.2.3` → `1.2.6`: first pin `sha256:aaaaaaaaaaaa` (a.nix) — patch\n",
		"- " + Stamp(day) + " `docker.io/library/busybox` tag `1.37`: first pin `sha256:aaaaaaaaaaaa` (modules/kubenix/a.nix) — digest\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("changelog lacks\n%s\nin\n%s", want, log)
		}
	}
	if again := string(Add([]byte(log), next, []Entry{pg, app, box})); again != log {
		t.Errorf("adding the same moves again changed the file:\n%s", again)
	}

	body := PRBody([]Entry{app, box, pg})
	head := "| Image | Tag | Digest | Files |\n|---|---|---|---|\n"
	want := "pinner update: 3 changes to 3 images in 3 files (1 first pin, 2 new tags).\n" +
		"By class: 1 major, 1 patch, 1 digest.\n" +
		"\n### major (1)\n\n" + head +
		"| `docker.io/bitnami/postgresql` | `17.6.0-debian-12-r5` → `18.0.0-debian-12-r1` ([release notes](https://github.com/bitnami/containers/compare/17.6.0...18.0.0)) | `sha256:bbbbbbbbbbbb` → `sha256:cccccccccccc` | `db.nix` |\n" +
		"\n### patch (1)\n\n" + head +
		"| `ghcr.io/x/app` | `1.2.3` → `1.2.6` | first pin `sha256:aaaaaaaaaaaa` | `a.nix` |\n" +
		"\n### digest (1)\n\n" + head +
		"| `docker.io/library/busybox` | `1.37` | first pin `sha256:aaaaaaaaaaaa` | `modules/kubenix/a.nix` |\n"
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("PR body (-want +got):\n%s", diff)
	}
}
