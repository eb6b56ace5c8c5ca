// Package setupscript tests scripts/setup.sh, which `make demo`, `make
// test` and `make race` run first.
package setupscript

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const script = "../../scripts/setup.sh"

// pathWithout is a directory of links to every program on PATH but the
// ones named: a machine where those are not installed.
func pathWithout(t *testing.T, missing ...string) string {
	t.Helper()
	dir := t.TempDir()
	skip := map[string]bool{}
	for _, m := range missing {
		skip[m] = true
	}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			link := filepath.Join(dir, e.Name())
			if skip[e.Name()] || e.IsDir() {
				continue
			}
			if _, err := os.Lstat(link); err == nil {
				continue // the first on PATH wins, as for the shell
			}
			if err := os.Symlink(filepath.Join(d, e.Name()), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func runSetup(t *testing.T, path string, env []string, targets ...string) (int, string) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("sh not installed")
	}
	cmd := exec.Command(sh, append([]string{script}, targets...)...)
	cmd.Env = append(os.Environ(), "PATH="+path, "SETUP_CHECK_ONLY=1", "GO_DIR="+filepath.Join(t.TempDir(), "no-go"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatal(err)
	return 0, ""
}

// needTools skips unless the machine has what make test needs.
func needTools(t *testing.T) {
	t.Helper()
	for _, c := range []string{"go", "git", "nix", "docker-registry", "skopeo", "tmux", "patch", "jq"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not installed", c)
		}
	}
}

func TestSetupMissingPackages(t *testing.T) {
	needTools(t)
	code, out := runSetup(t, pathWithout(t, "skopeo", "docker-registry"), nil, "test")
	for _, want := range []string{
		"setup: missing Debian packages: docker-registry skopeo\n",
		"setup: install them as root:  apt-get install -y docker-registry skopeo\n",
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("exit %d, want 1 and %q in:\n%s", code, want, out)
		}
	}
	// The demo needs neither.
	if code, out := runSetup(t, pathWithout(t, "skopeo", "docker-registry"), nil, "demo"); code != 0 || out != "" {
		t.Errorf("demo: exit %d, output %q; want 0 and silence", code, out)
	}
}

func TestSetupAllThere(t *testing.T) {
	needTools(t)
	if code, out := runSetup(t, os.Getenv("PATH"), nil, "demo", "test"); code != 0 || out != "" {
		t.Errorf("exit %d, output %q; want 0 and silence", code, out)
	}
}

func TestSetupGo(t *testing.T) {
	needTools(t)
	path := pathWithout(t, "go", "gofmt")
	code, out := runSetup(t, path, nil, "go")
	if code != 1 || !strings.Contains(out, "Go 1.26 or later is needed, and no go on PATH (Debian 12's golang-go is 1.19).") ||
		!strings.Contains(out, "as root, this installs Go 1.26.8 in") {
		t.Errorf("no go: exit %d:\n%s", code, out)
	}

	// Debian's own go, 1.19.
	old := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(old, []byte("#!/bin/sh\n[ \"$1 $2\" = 'env GOVERSION' ] && echo go1.19.8\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out = runSetup(t, path, []string{"GO=" + old}, "go")
	if code != 1 || !strings.Contains(out, old+" is go1.19.8") {
		t.Errorf("go 1.19: exit %d:\n%s", code, out)
	}

	// A Go 1.26 in /usr/local/go behind an old one on PATH.
	code, out = runSetup(t, path, []string{"GO=" + old, "GO_DIR=" + filepath.Dir(filepath.Dir(goBinary(t)))}, "go")
	if code != 1 || !strings.Contains(out, "put it first on PATH:  export PATH="+filepath.Dir(goBinary(t))+":$PATH") {
		t.Errorf("shadowed go: exit %d:\n%s", code, out)
	}
}

func goBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not installed (not on PATH)")
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return real
}
