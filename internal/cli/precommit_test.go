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

// gitIn runs git in dir.
func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

const pinnedRef = "ghcr.io/x/a:1.0@sha256:1111111111111111111111111111111111111111111111111111111111111111"

// TestCheckStaged: --staged checks the index, not the working tree: a
// module staged unpinned but pinned in the working tree is a finding (the
// working-tree check passes it); so are a renamed and a copied module
// whose staged content is unpinned; excluded, unstaged and deleted files
// are not; the staged lock is the one compared.
func TestCheckStaged(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := precommitRepo(t)
	os.Remove(filepath.Join(dir, "modules", "kubenix", "zz-broken-too.nix"))
	pinned := `{ image = "` + pinnedRef + `"; }` + "\n"
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), pinned)
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "old.nix"), pinned)
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "b.nix"), pinned)
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "pinned")

	// a.nix: staged unpinned, then pinned again in the working tree only.
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), `{ image = "ghcr.io/x/a:1.0"; }`+"\n")
	gitIn(t, dir, "add", "modules/kubenix/a.nix")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), pinned)
	// old.nix renamed, its staged content unpinned.
	gitIn(t, dir, "mv", "modules/kubenix/old.nix", "modules/kubenix/renamed.nix")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "renamed.nix"), `{ image = "ghcr.io/x/r:1.0"; }`+"\n")
	gitIn(t, dir, "add", "modules/kubenix/renamed.nix")
	// b.nix copied, the copy unpinned; an excluded module staged unpinned.
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "copy.nix"), `{ image = "ghcr.io/x/b:1.0"; }`+"\n")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "vendored", "d.nix"), `{ image = "ghcr.io/x/d:1.0"; }`+"\n")
	gitIn(t, dir, "add", "modules/kubenix/copy.nix", "modules/kubenix/vendored/d.nix")
	// Unstaged and unpinned: not part of the commit.
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "untracked.nix"), `{ image = "ghcr.io/x/u:1.0"; }`+"\n")

	code, files := checkFiles(t, dir, "--staged")
	slices.Sort(files)
	want := []string{"modules/kubenix/a.nix", "modules/kubenix/copy.nix", "modules/kubenix/renamed.nix"}
	if code != ExitFindings || !slices.Equal(files, want) {
		t.Errorf("check --staged: exit %d, files %v; want 1, %v", code, files, want)
	}
	if code, files := checkFiles(t, dir, "modules/kubenix/a.nix"); code != ExitOK {
		t.Errorf("the working tree's a.nix is pinned, yet check says %d %v", code, files)
	}
	if code, files := checkFiles(t, dir, "--staged", "modules/kubenix/copy.nix"); code != ExitFindings || !slices.Equal(files, []string{"modules/kubenix/copy.nix"}) {
		t.Errorf("check --staged PATH: exit %d, files %v", code, files)
	}

	// The staged lock, not the working tree's, is compared.
	gitIn(t, dir, "reset", "-q")
	gitIn(t, dir, "checkout", "-q", "--", ".")
	os.Remove(filepath.Join(dir, "modules", "kubenix", "untracked.nix"))
	os.RemoveAll(filepath.Join(dir, "modules", "kubenix", "copy.nix"))
	os.RemoveAll(filepath.Join(dir, "modules", "kubenix", "renamed.nix"))
	other := `{"version":1,"images":{"ghcr.io/x/a:1.0":{"digest":"sha256:` + strings.Repeat("2", 64) + `"}}}` + "\n"
	writeFile(t, filepath.Join(dir, "pinner.lock"), other)
	gitIn(t, dir, "add", "pinner.lock", "modules/kubenix/a.nix")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), pinned+"# touched\n")
	gitIn(t, dir, "add", "modules/kubenix/a.nix")
	writeFile(t, filepath.Join(dir, "pinner.lock"), `{"version":1,"images":{}}`+"\n")
	if code, files := checkFiles(t, dir, "--staged"); code != ExitFindings || !slices.Equal(files, []string{"modules/kubenix/a.nix"}) {
		t.Errorf("a staged module against the staged lock: exit %d, files %v", code, files)
	}

	code, _, stderr := run(t, t.TempDir(), "check", "--staged")
	if code != ExitBadInput || !strings.Contains(stderr, "--staged reads git's index: not a git repository") {
		t.Errorf("outside git: exit %d; %s", code, stderr)
	}
}

// TestPreCommitHookScript installs the README's plain .git/hooks/pre-commit
// in a real git repository and commits: a module staged unpinned (pinned
// in the working tree only) and a renamed one are stopped; a pinned
// commit goes through.
func TestPreCommitHookScript(t *testing.T) {
	for _, bin := range []string{"git", "sh"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed", bin)
		}
	}
	readme, err := os.ReadFile(filepath.Join(testDir, "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(readme), "Without pre-commit, as `.git/hooks/pre-commit`")
	_, block, _ := strings.Cut(after, "```sh\n")
	hook, _, ok := strings.Cut(block, "```")
	if !ok || !strings.HasPrefix(hook, "#!/bin/sh\n") {
		t.Fatalf("no hook script in README.md")
	}
	pinner := filepath.Join(t.TempDir(), "pinner")
	if out, err := exec.Command("go", "build", "-o", pinner, filepath.Join(testDir, "..", "..", "cmd", "pinner")).CombinedOutput(); err != nil {
		t.Fatalf("building pinner: %v\n%s", err, out)
	}
	t.Setenv("PATH", filepath.Dir(pinner)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := precommitRepo(t)
	pinned := `{ image = "` + pinnedRef + `"; }` + "\n"
	for _, f := range []string{"a.nix", "b.nix", "zz-broken-too.nix"} {
		writeFile(t, filepath.Join(dir, "modules", "kubenix", f), pinned)
	}
	gitIn(t, dir, "init", "-q")
	writeFile(t, filepath.Join(dir, ".git", "hooks", "pre-commit"), hook)
	if err := os.Chmod(filepath.Join(dir, ".git", "hooks", "pre-commit"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "pinned") // the hook lets a pinned tree through

	commit := func() (string, error) {
		cmd := exec.Command("git", "commit", "-q", "-m", "change")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), `{ image = "ghcr.io/x/a:1.0"; }`+"\n")
	gitIn(t, dir, "add", "modules/kubenix/a.nix")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), pinned)
	if out, err := commit(); err == nil || !strings.Contains(out, "modules/kubenix/a.nix:1:") {
		t.Errorf("a module staged unpinned was committed (err %v):\n%s", err, out)
	}
	gitIn(t, dir, "reset", "-q", "--hard")
	gitIn(t, dir, "mv", "modules/kubenix/b.nix", "modules/kubenix/moved.nix")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "moved.nix"), `{ image = "ghcr.io/x/b:1.0"; }`+"\n")
	gitIn(t, dir, "add", "modules/kubenix/moved.nix")
	if out, err := commit(); err == nil || !strings.Contains(out, "modules/kubenix/moved.nix:1:") {
		t.Errorf("a renamed unpinned module was committed (err %v):\n%s", err, out)
	}
}
