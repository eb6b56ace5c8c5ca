package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run calls Main in dir and returns its exit code and output.
func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "pinner ") {
		t.Fatalf("version: code %d, output %q", code, out)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"no-such-command"},
		{"scan", "--no-such-flag"},
		{"--log-level", "loud", "version"},
	} {
		code, _, stderr := run(t, "", args...)
		if code != ExitBadInput {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, code, ExitBadInput, stderr)
		}
		if !strings.Contains(stderr, "pinner:") {
			t.Errorf("%v: stderr %q does not explain the error", args, stderr)
		}
	}
}

func TestHelpExits0(t *testing.T) {
	code, out, _ := run(t, "", "scan", "--help")
	if code != 0 || !strings.Contains(out, "Usage: pinner scan") {
		t.Fatalf("scan --help: code %d, output %q", code, out)
	}
}

func TestScanJSONReportsSyntaxErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"modules/kubenix/apps/good.nix": "{ a = 1; }\n",
		"modules/kubenix/apps/bad.nix":  "{\n  a = [ 1 2 ;\n}\n",
		"modules/kubenix/_disabled.nix": "{ b = \"x\"; }\n",
		"modules/kubenix/notes.txt":     "not nix {",
	})
	code, out, stderr := run(t, dir, "scan", "--json")
	if code != ExitBadInput {
		t.Fatalf("exit %d, want 2 (a syntax error is bad input); stderr %q", code, stderr)
	}
	var got scanOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(got.Errors) == 0 {
		t.Fatalf("no errors reported: %s", out)
	}
	e := got.Errors[0]
	if e.File != filepath.Join("modules", "kubenix", "apps", "bad.nix") || e.Line != 2 || e.Column != 13 {
		t.Errorf("error at %s:%d:%d, want modules/kubenix/apps/bad.nix:2:13 (%s)", e.File, e.Line, e.Column, e.Msg)
	}
	if !strings.Contains(e.Msg, "';'") {
		t.Errorf("message %q does not name the unexpected token", e.Msg)
	}
	if got.Sites == nil {
		t.Errorf("sites must be [] rather than null")
	}
}

func TestScanCleanTreeExits0(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a/x.nix":   "{ a = 1; }\n",
		"a/b/y.nix": "let x = 1; in x\n",
	})
	code, out, stderr := run(t, dir, "scan", "--json", "a")
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr)
	}
	if !strings.Contains(out, `"errors": []`) {
		t.Errorf("errors must be an empty list: %s", out)
	}
}

func TestScanMissingPathExits2(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, dir, "scan", "does-not-exist")
	if code != ExitBadInput || !strings.Contains(stderr, "does-not-exist") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// Without PATH and without modules/kubenix the user is told what to do.
	code, _, stderr = run(t, dir, "scan")
	if code != ExitBadInput || !strings.Contains(stderr, "modules/kubenix") {
		t.Fatalf("no PATH: exit %d, stderr %q", code, stderr)
	}
}

func TestChdir(t *testing.T) {
	dir := writeFiles(t, map[string]string{"modules/kubenix/x.nix": "{ a = ; }\n"})
	// t.Chdir first, so the directory Main changes to is restored afterwards.
	t.Chdir(t.TempDir())
	code, _, stderr := run(t, "", "--chdir", dir, "scan")
	if code != ExitBadInput || !strings.Contains(stderr, filepath.Join("modules", "kubenix", "x.nix")+":1:7:") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestSyntaxErrorExits2Everywhere: a module that does not parse is bad
// input (exit 2) in every command that reads modules; scan exited 1.
func TestSyntaxErrorExits2Everywhere(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"modules/kubenix/good.nix": "{ image = \"busybox:1.37\"; }\n",
		"modules/kubenix/bad.nix":  "{\n  x = \"unclosed;\n}\n",
	})
	for _, args := range [][]string{
		{"scan"}, {"scan", "--json"}, {"check"}, {"check", "--json"},
		{"outdated"}, {"update", "--all", "--dry-run"},
	} {
		code, out, stderr := run(t, dir, args...)
		if code != ExitBadInput || !strings.Contains(out+stderr, "bad.nix") {
			t.Errorf("%v: exit %d, want 2 naming bad.nix; stdout:\n%s\nstderr:\n%s", args, code, out, stderr)
		}
	}
}

// TestWithoutRegistryYAML: without registry.yaml pinner says so, and
// which defaults it reads; with no modules/kubenix either, update (which
// takes no paths) is not told to pass any.
func TestWithoutRegistryYAML(t *testing.T) {
	empty := t.TempDir()
	code, _, stderr := run(t, empty, "update", "--all")
	if code != ExitBadInput || !strings.Contains(stderr, "no registry.yaml here") || !strings.Contains(stderr, "pinner init") ||
		strings.Contains(stderr, "pass the files") || strings.Contains(stderr, "PATH") {
		t.Errorf("update --all: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = run(t, empty, "scan"); code != ExitBadInput || !strings.Contains(stderr, "pass the files or directories") {
		t.Errorf("scan: exit %d, stderr %q", code, stderr)
	}

	dir := writeFiles(t, map[string]string{"modules/kubenix/a.nix": "{ image = \"busybox:1.37\"; }\n"})
	const note = "no registry.yaml here: reading modules/kubenix/**/*.nix with the defaults"
	for _, args := range [][]string{{"scan"}, {"scan", "--json"}, {"check"}} {
		_, out, stderr := run(t, dir, args...)
		if !strings.Contains(stderr, note) || strings.Contains(out, note) {
			t.Errorf("%v: the note is not on stderr alone; stderr %q", args, stderr)
		}
	}
	// update, with nothing to resolve: no registry is asked.
	if code, _, stderr := run(t, writeFiles(t, map[string]string{"modules/kubenix/a.nix": "{ a = 1; }\n"}), "update", "--all"); code != 0 || !strings.Contains(stderr, note) {
		t.Errorf("update --all: exit %d, stderr %q", code, stderr)
	}
	if _, _, stderr := run(t, dir, "-q", "scan"); strings.Contains(stderr, note) {
		t.Errorf("-q still says %q", note)
	}
	if _, _, stderr := run(t, dir, "check", "modules/kubenix/a.nix"); strings.Contains(stderr, note) {
		t.Errorf("with paths that say what to read, still %q", note)
	}
	writeFile(t, filepath.Join(dir, "registry.yaml"), "version: 1\n")
	if _, _, stderr := run(t, dir, "scan"); strings.Contains(stderr, note) {
		t.Errorf("with a registry.yaml, still %q", note)
	}
}
