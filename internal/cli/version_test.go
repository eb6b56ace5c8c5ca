package cli

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribeBuild(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-26T00:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tc := range []struct {
		name   string
		bi     *debug.BuildInfo
		linked string
		want   string
	}{
		{"no build info", nil, "", "pinner unknown\nrevision: unknown (built without version control information)\ncommitted: unknown\ngo: " + runtime.Version() + "\nplatform: " + platform + "\n"},
		{"go install @version", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.3.0"}}, "",
			"pinner v0.3.0\nrevision: unknown (built without version control information)\ncommitted: unknown\ngo: go1.26.1\nplatform: " + platform + "\n"},
		{"go build in a dirty clone", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.0.0-20261126000000-0123456789ab+dirty"}, Settings: vcs}, "",
			"pinner v0.0.0-20261126000000-0123456789ab+dirty\nrevision: 0123456789abcdef0123456789abcdef01234567 (modified)\ncommitted: 2026-11-26T00:00:00Z\ngo: go1.26.1\nplatform: " + platform + "\n"},
		{"devel, version linked in", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"}, Settings: vcs[:3]}, "0123456",
			"pinner 0123456\nrevision: 0123456789abcdef0123456789abcdef01234567\ncommitted: 2026-11-26T00:00:00Z\ngo: go1.26.1\nplatform: " + platform + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := writeVersion(&b, describeBuild(tc.bi, tc.linked)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("version (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVersionFromGitBuild builds pinner with `go build` in a git
// repository holding its source, as a user's clone is, and checks that
// `pinner version` names that commit, and then the modified work tree.
func TestVersionFromGitBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds pinner twice")
	}
	t.Parallel()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	src := t.TempDir()
	copySource(t, filepath.Join(testDir, "..", ".."), src)
	gitIn := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(git, args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
			"GIT_AUTHOR_DATE=2026-11-26T00:00:00Z", "GIT_COMMITTER_DATE=2026-11-26T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitIn("init", "-q")
	gitIn("add", "-A")
	gitIn("commit", "-q", "-m", "pinner")
	rev := gitIn("rev-parse", "HEAD")

	build := func() string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "pinner")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/pinner")
		cmd.Dir = src
		// A GOFLAGS=-buildvcs=false in the environment or go env would
		// hide what a user's build records.
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "version").CombinedOutput()
		if err != nil {
			t.Fatalf("pinner version: %v\n%s", err, out)
		}
		return string(out)
	}

	clean := build()
	// go build stamps a pseudo-version from the commit (Go 1.24 and later).
	wantVersion := regexp.MustCompile(`^pinner v0\.0\.0-20261126000000-` + rev[:12] + "\n")
	for _, want := range []string{"revision: " + rev + "\n", "committed: 2026-11-26T00:00:00Z\n", "go: go1.", "platform: " + runtime.GOOS + "/" + runtime.GOARCH + "\n"} {
		if !strings.Contains(clean, want) {
			t.Errorf("clean build: output lacks %q:\n%s", want, clean)
		}
	}
	if !wantVersion.MatchString(clean) || strings.Contains(clean, "modified") {
		t.Errorf("clean build: want version v0.0.0-20261126000000-%s, unmodified:\n%s", rev[:12], clean)
	}

	if err := os.WriteFile(filepath.Join(src, "cmd", "pinner", "extra.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirty := build()
	if !strings.Contains(dirty, "revision: "+rev+" (modified)\n") || !strings.Contains(strings.SplitN(dirty, "\n", 2)[0], "+dirty") {
		t.Errorf("modified tree: want the revision marked (modified) and a +dirty version:\n%s", dirty)
	}
}

// copySource copies what building cmd/pinner needs: go.mod, go.sum and
// the non-test Go files of cmd and internal.
func copySource(t *testing.T, from, to string) {
	t.Helper()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(from, f), filepath.Join(to, f))
	}
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(from, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			rel, err := filepath.Rel(from, p)
			if err != nil {
				return err
			}
			copyFile(t, p, filepath.Join(to, rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
