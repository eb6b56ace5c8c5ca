package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// precommitRepo has three unpinned modules, one of them excluded by
// registry.yaml, and one file that does not parse.
func precommitRepo(t *testing.T) string {
	t.Helper()
	return writeFiles(t, map[string]string{
		"registry.yaml":                     "version: 1\nexclude: [\"modules/kubenix/vendored\"]\n",
		"modules/kubenix/a.nix":             `{ image = "ghcr.io/x/a:1.0"; }` + "\n",
		"modules/kubenix/b.nix":             `{ image = "ghcr.io/x/b:1.0"; }` + "\n",
		"modules/kubenix/vendored/c.nix":    `{ image = "ghcr.io/x/c:1.0"; }` + "\n",
		"modules/kubenix/vendored/bad.nix":  "{ a = ; }\n",
		"modules/kubenix/zz-broken-too.nix": "{ b = ; }\n",
	})
}

func checkFiles(t *testing.T, dir string, args ...string) (int, []string) {
	t.Helper()
	code, out, stderr := run(t, dir, append([]string{"check", "--json"}, args...)...)
	var got checkOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("check %v: %v\n%s\n%s", args, err, out, stderr)
	}
	var files []string
	for _, f := range got.Findings {
		files = append(files, filepath.ToSlash(f.File))
	}
	for _, e := range got.Errors {
		files = append(files, filepath.ToSlash(e.File))
	}
	return code, files
}

// TestCheckScansOnlyTheFilesGiven: a pre-commit hook passes the staged
// files; check reads those and nothing else (the broken file that is not
// given is not reported), and skips the excluded ones.
func TestCheckScansOnlyTheFilesGiven(t *testing.T) {
	dir := precommitRepo(t)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"modules/kubenix/a.nix"}, ExitFindings, []string{"modules/kubenix/a.nix"}},
		{[]string{"modules/kubenix/b.nix", "modules/kubenix/a.nix"}, ExitFindings, []string{"modules/kubenix/a.nix", "modules/kubenix/b.nix"}},
		// Excluded: as if it had not been given.
		{[]string{"modules/kubenix/vendored/c.nix"}, ExitOK, nil},
		{[]string{"modules/kubenix/vendored/bad.nix", "modules/kubenix/a.nix"}, ExitFindings, []string{"modules/kubenix/a.nix"}},
		// A directory: the files below it, minus the excluded ones.
		{[]string{"modules/kubenix/vendored"}, ExitOK, nil},
	} {
		code, files := checkFiles(t, dir, tc.args...)
		slices.Sort(files)
		if code != tc.code || !slices.Equal(files, tc.want) {
			t.Errorf("check %v: exit %d, files %v; want %d, %v", tc.args, code, files, tc.code, tc.want)
		}
	}
}

// TestPreCommitHookScript runs the README's plain .git/hooks/pre-commit
// line in a real git repository.
func TestPreCommitHookScript(t *testing.T) {
	for _, bin := range []string{"git", "bash", "xargs"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed", bin)
		}
	}
	dir := precommitRepo(t)
	pinner := filepath.Join(t.TempDir(), "pinner")
	if out, err := exec.Command("go", "build", "-o", pinner, filepath.Join(testDir, "..", "..", "cmd", "pinner")).CombinedOutput(); err != nil {
		t.Fatalf("building pinner: %v\n%s", err, out)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "modules/kubenix/b.nix", "modules/kubenix/vendored/c.nix", "registry.yaml")

	hook := `git diff --cached --name-only --diff-filter=ACM -z -- '*.nix' | xargs -0 -r pinner check`
	cmd := exec.Command("bash", "-c", hook)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(pinner)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("hook passed with an unpinned staged file:\n%s", out)
	}
	if !strings.Contains(string(out), "modules/kubenix/b.nix:1:") || strings.Contains(string(out), "a.nix") || strings.Contains(string(out), "c.nix") {
		t.Errorf("hook output names the wrong files:\n%s", out)
	}
}
