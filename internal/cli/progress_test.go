package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

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
