package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/owned"
	"github.com/pinner-dev/pinner/internal/progress"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

var timestamped = regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d `)

func TestResolveProgressModes(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	ref := host + "/x/y:1"
	registry.PushRandom(t, ref, false)

	// stderr is no terminal: auto means plain lines.
	code, out, stderr := run(t, "", "resolve", ref)
	if code != 0 || !strings.HasPrefix(out, ref+" sha256:") {
		t.Fatalf("exit %d, output %q, stderr %q", code, out, stderr)
	}
	for _, want := range []string{" resolving 1 reference\n", " resolved 1 reference\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, stderr)
		}
	}
	if n := len(timestamped.FindAllString(stderr, -1)); n != 2 {
		t.Errorf("%d timestamped lines, want 2: %q", n, stderr)
	}
	for _, args := range [][]string{
		{"--progress=none", "resolve", ref},
		{"--quiet", "resolve", ref},
		{"-q", "--progress=tty", "resolve", ref},
	} {
		code, out, stderr := run(t, "", args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(out, ref+" sha256:") {
			t.Errorf("%v: exit %d, output %q, stderr %q", args, code, out, stderr)
		}
	}
	// Bars drawn on a pipe when asked for; the result on stdout is unchanged.
	code, out, stderr = run(t, "", "--progress=tty", "resolve", ref)
	if code != 0 || !strings.HasPrefix(out, ref+" sha256:") || !strings.Contains(stderr, "resolving") {
		t.Errorf("--progress=tty: exit %d, output %q, stderr %q", code, out, stderr)
	}
	code, _, stderr = run(t, "", "--progress=fancy", "version")
	if code != ExitBadInput || !strings.Contains(stderr, "--progress") {
		t.Errorf("--progress=fancy: exit %d, stderr %q", code, stderr)
	}
}

func TestOwnedProgressLines(t *testing.T) {
	var buf bytes.Buffer
	env := &Env{Progress: progress.New(&buf, progress.Plain)}
	env.Progress.Now = func() time.Time { return time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC) }
	hook := env.ownedHook()
	d := "sha256:abc1234567890000000000000000000000000000000000000000000000000000"
	for _, ev := range []owned.Event{
		{Kind: owned.EventBuilding, Count: 3},
		{Kind: owned.EventBuilt, Count: 3},
		{Kind: owned.EventLoaded, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventPublishing, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventUploaded, Image: "y", Ref: "ghcr.io/x/y:1.0", Complete: 10, Total: 20},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: d, Complete: 5 << 20, Total: 12897485},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: d, Complete: 12897485, Total: 12897485, Done: true},
		{Kind: owned.EventLayer, Image: "y", Ref: "ghcr.io/x/y:1.0", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Total: 300, Skipped: true},
		{Kind: owned.EventPublished, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d},
		{Kind: owned.EventUnchanged, Image: "z", Ref: "ghcr.io/x/z:2", Digest: d},
	} {
		hook(ev)
	}
	want := `15:04:05 building 3 installables through nix
15:04:05 built 3 installables
15:04:05 loaded ghcr.io/x/y:1.0 sha256:abc123456789…
15:04:05 pushing ghcr.io/x/y:1.0
15:04:05 pushed layer sha256:abc123456789 (12.3 MiB) of ghcr.io/x/y
15:04:05 layer sha256:def456789012 (300 B) of ghcr.io/x/y already there
15:04:05 pushed ghcr.io/x/y:1.0 sha256:abc123456789…
15:04:05 unchanged ghcr.io/x/z:2 sha256:abc123456789…
`
	if buf.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 12897485: "12.3 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// On a terminal, each layer has a bar below its image's while it uploads.
func TestOwnedProgressLayerBars(t *testing.T) {
	var buf bytes.Buffer
	env := &Env{Progress: progress.New(&buf, progress.TTY)}
	hook := env.ownedHook()
	d := "sha256:abc1234567890000000000000000000000000000000000000000000000000000"
	hook(owned.Event{Kind: owned.EventPublishing, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: d, Complete: 1 << 20, Total: 4 << 20})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Complete: 1, Total: 2})
	time.Sleep(300 * time.Millisecond) // a refresh or two
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: d, Complete: 4 << 20, Total: 4 << 20, Done: true})
	hook(owned.Event{Kind: owned.EventLayer, Image: "y", Repository: "ghcr.io/x/y", Layer: "sha256:def4567890120000", Total: 2, Skipped: true})
	hook(owned.Event{Kind: owned.EventPublished, Image: "y", Ref: "ghcr.io/x/y:1.0", Digest: d})
	env.Progress.Close()
	out := buf.String()
	for _, want := range []string{"pushing ghcr.io/x/y:1.0", "sha256:abc123456789", "sha256:def456789012", "pushed ghcr.io/x/y:1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "pushed layer") {
		t.Errorf("plain layer lines on a terminal:\n%s", out)
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	table := []byte("A  B\n1  2\n")
	var plain, colour bytes.Buffer
	if err := writeTable(&plain, table, false); err != nil {
		t.Fatal(err)
	}
	if err := writeTable(&colour, table, true); err != nil {
		t.Fatal(err)
	}
	if plain.String() != string(table) {
		t.Errorf("no colour: %q", plain.String())
	}
	if colour.String() != "\x1b[1mA  B\x1b[0m\n1  2\n" {
		t.Errorf("colour: %q", colour.String())
	}
	if (&Env{}).bold("x") != "x" || (&Env{Color: true}).bold("x") != "\x1b[1mx\x1b[0m" {
		t.Error("bold")
	}
	// Main never colours what is not a terminal, whatever NO_COLOR says.
	t.Setenv("NO_COLOR", "")
	dir := writeFiles(t, map[string]string{"modules/kubenix/a.nix": `{ image = "busybox:1.37"; }` + "\n"})
	_, out, _ := run(t, dir, "check")
	if strings.Contains(out, "\x1b[") || !strings.HasPrefix(out, "modules/kubenix/a.nix:1:") {
		t.Errorf("check output %q", out)
	}
}

// TestUpdateProgress: an update that builds and pushes reports each step,
// and each layer pushed, as a timestamped line with --progress=plain, and
// nothing of it with --quiet.
func TestUpdateProgress(t *testing.T) {
	quickRetries(t)
	host, _ := registry.StartInProcess(t)
	ofx := newOwnedFixture(t, host, "")
	t.Chdir(ofx.dir)

	code, _, stderr := run(t, "", "--progress=plain", "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	for _, re := range []string{
		`(?m)^\d\d:\d\d:\d\d building \d+ installables through nix$`,
		`(?m)^\d\d:\d\d:\d\d built \d+ installables$`,
		`(?m)^\d\d:\d\d:\d\d pushing ghcr\.io/josevictorferreira/backup-toolbox:1\.0\.0$`,
		`(?m)^\d\d:\d\d:\d\d pushed ghcr\.io/josevictorferreira/backup-toolbox:1\.0\.0 sha256:[0-9a-f]{12}…$`,
		`(?m)^\d\d:\d\d:\d\d resolving \d+ references$`,
		`(?m)^pinner: built \d+ image`,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("stderr does not match %s:\n%s", re, stderr)
		}
	}

	// A line per layer as it finishes: backup-toolbox, the only image of
	// its repository, names each of its layers once.
	layerLine := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d (?:pushed layer|layer) (sha256:[0-9a-f]{12}) \(\d+(?:\.\d)? (?:B|KiB|MiB|GiB)\) of (\S+)(?: already there)?$`)
	seen := map[string]bool{}
	for _, m := range layerLine.FindAllStringSubmatch(stderr, -1) {
		if m[2] != ownedRepoPrefix+"backup-toolbox" {
			continue
		}
		if seen[m[1]] {
			t.Errorf("layer %s of backup-toolbox reported twice", m[1])
		}
		seen[m[1]] = true
	}
	if !regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d pushed layer sha256:[0-9a-f]{12} \(\d+(?:\.\d)? (?:B|KiB|MiB|GiB)\) of ghcr\.io/josevictorferreira/backup-toolbox$`).MatchString(stderr) {
		t.Errorf("no pushed layer line for backup-toolbox:\n%s", stderr)
	}

	// Nothing changed since: quiet keeps only warnings.
	code, _, stderr = run(t, "", "--quiet", "update", "--all")
	if code != 0 {
		t.Fatalf("second update: exit %d; stderr:\n%s", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !strings.HasPrefix(line, "warning: ") {
			t.Errorf("--quiet printed %q", line)
		}
	}
}
