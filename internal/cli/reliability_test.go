package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/runlock"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// badInputRepo is a one-module repository whose update would pin
// busybox:1.37 from an in-process registry; each bad-input case breaks it
// in one way.
func badInputRepo(t *testing.T) (dir string, faults *registry.Faults) {
	t.Helper()
	quickRetries(t)
	faults = registry.NewFaults()
	host, _ := registry.StartInProcess(t, faults.Wrap)
	t.Cleanup(faults.Release)
	registry.PushRandom(t, host+"/hub/library/busybox:1.37", false)
	faults.Reset()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "registry.yaml"), "version: 1\nmirrors:\n  docker.io: http://"+host+"/hub\n")
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), "{\n  image = \"busybox:1.37\";\n}\n")
	return dir, faults
}

// TestBadInputEndToEnd: every kind of bad input ends the run with exit 2
// and a message that says where the problem is, before any registry is
// asked and without changing, creating or touching any file.
func TestBadInputEndToEnd(t *testing.T) {
	const image = "images:\n  a:\n    repository: ghcr.io/x/a\n    build: {flake: \".#a\"}\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		args  []string
		want  []string
	}{
		{
			name:  "unknown key",
			setup: appendConfig("modulez: [\"modules/**/*.nix\"]\n"),
			want:  []string{`registry.yaml:4:1: unknown key "modulez"`, `did you mean "modules"`},
		},
		{
			name:  "mistyped image key",
			setup: appendConfig("images:\n  a:\n    repositry: ghcr.io/x/a\n    build: {flake: \".#a\"}\n"),
			want:  []string{`registry.yaml:6:5: unknown key "repositry"`, `did you mean "repository"`},
		},
		{
			name:  "duplicate image name",
			setup: appendConfig(image + "  a:\n    repository: ghcr.io/x/b\n    build: {flake: \".#b\"}\n"),
			want:  []string{`registry.yaml:8:3: duplicate image "a" (first defined at 5:3)`},
		},
		{
			name:  "invalid repository",
			setup: appendConfig("images:\n  a:\n    repository: ghcr.io/X/a:1\n    build: {flake: \".#a\"}\n"),
			want:  []string{"registry.yaml:6:17:", "ghcr.io/X/a:1"},
		},
		{
			name:  "invalid ignore reference",
			setup: appendConfig("ignore: [\"Not A/Repo\"]\n"),
			want:  []string{"registry.yaml:4:10:", `"Not A/Repo"`},
		},
		{
			name:  "invalid platform",
			setup: appendConfig(strings.Replace(image, "    build:", "    platforms: [\"linux/\"]\n    build:", 1)),
			want:  []string{`registry.yaml:7:17: invalid platform "linux/" in image "a"`},
		},
		{
			name:  "glob matches nothing",
			setup: appendConfig("modules: [\"modules/nothing/**/*.nix\"]\n"),
			want:  []string{`registry.yaml:4:11: modules glob "modules/nothing/**/*.nix" matches no files`},
		},
		{
			name:  "module path leaves the repository",
			setup: appendConfig("modules: [\"../*.nix\"]\n"),
			want:  []string{`registry.yaml:4:11: invalid modules glob "../*.nix"`, "could leave the directory"},
		},
		{
			name:  "lock and changelog leave the repository",
			setup: appendConfig("lock: ../pinner.lock\nchangelog: /tmp/CHANGELOG.md\n"),
			want:  []string{`registry.yaml:4:7: invalid lock "../pinner.lock": path leaves the directory`, `registry.yaml:5:12: invalid changelog "/tmp/CHANGELOG.md"`},
		},
		{
			name:  "push_to leaves the repository",
			setup: appendConfig("push_to: oci:../store\n"),
			want:  []string{"registry.yaml:4:10:", "leaves the directory"},
		},
		{
			name: "module syntax error",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "modules", "kubenix", "b.nix"), "{\n  image = \"busybox:1.37\"\n}\n")
			},
			want: []string{filepath.Join("modules", "kubenix", "b.nix") + ":3:1:", "1 syntax error(s)"},
		},
		{
			name: "non-UTF-8 module",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "modules", "kubenix", "b.nix"), "{\n  x = \"caf\xe9\";\n}\n")
			},
			want: []string{filepath.Join("modules", "kubenix", "b.nix") + ":2:11: invalid UTF-8 byte 0xe9"},
		},
		{
			name:  "non-UTF-8 configuration",
			setup: appendConfig("# caf\xe9\n"),
			want:  []string{"registry.yaml:4:6: invalid UTF-8 byte 0xe9"},
		},
		{
			name: "module symlinked out of the repository (modules glob)",
			setup: func(t *testing.T, dir string) {
				appendConfig("modules: [\"modules/**/*.nix\"]\n")(t, dir)
				linkOutside(t, filepath.Join(dir, "modules", "kubenix", "evil.nix"))
			},
			want: []string{`registry.yaml:4:11: modules glob "modules/**/*.nix" matches`, "evil.nix, a symlink to", "outside"},
		},
		{
			name: "module symlinked out of the repository (no registry.yaml)",
			setup: func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, "registry.yaml"))
				linkOutside(t, filepath.Join(dir, "modules", "kubenix", "evil.nix"))
			},
			want: []string{filepath.Join("modules", "kubenix", "evil.nix") + ": a symlink to", "outside the repository"},
		},
		{
			name: "module symlinked out of the repository (scan PATH)",
			setup: func(t *testing.T, dir string) {
				linkOutside(t, filepath.Join(dir, "modules", "kubenix", "evil.nix"))
			},
			args: []string{"scan", filepath.Join("modules", "kubenix", "evil.nix")},
			want: []string{filepath.Join("modules", "kubenix", "evil.nix") + ": a symlink to", "outside the repository"},
		},
		{
			name: "directory symlinked out of the repository (check PATH)",
			setup: func(t *testing.T, dir string) {
				out := t.TempDir()
				writeFile(t, filepath.Join(out, "x.nix"), "{ image = \"busybox:1.37\"; }\n")
				if err := os.Symlink(out, filepath.Join(dir, "modules", "kubenix", "elsewhere")); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"check", filepath.Join("modules", "kubenix", "elsewhere", "x.nix")},
			want: []string{filepath.Join("modules", "kubenix", "elsewhere", "x.nix") + ": a symlink to", "outside the repository"},
		},
		{
			name: "invalid reference argument",
			args: []string{"update", "Not/A/Ref:"},
			want: []string{`"Not/A/Ref:" is neither an image name from the configuration nor a valid reference`},
		},
		{
			name:  "registry.yaml nested too deeply",
			setup: appendConfig("mirrors: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n"),
			want:  []string{"registry.yaml:4:41: nested more than 32 levels deep; the configuration is at most 5"},
		},
		{
			name:  "registry.yaml alias bomb",
			setup: appendConfig("x: &a [y]\nignore: [" + strings.Repeat("*a, ", 300) + "*a]\n"),
			want:  []string{"registry.yaml:5:1034: more than 256 aliases"},
		},
		{
			name:  "registry.yaml a FIFO",
			setup: fifoAt("registry.yaml"),
			want:  []string{"registry.yaml: reading config: not a regular file (a FIFO)"},
		},
		{
			name: "registry.yaml /dev/zero",
			args: []string{"--config", "/dev/zero", "check"},
			want: []string{"/dev/zero: reading config: not a regular file (a character device)"},
		},
		{
			name:  "pinner.lock a FIFO",
			setup: fifoAt("pinner.lock"),
			want:  []string{`reading "pinner.lock": not a regular file (a FIFO)`},
		},
		{
			name:  "pinner.lock a FIFO (check)",
			setup: fifoAt("pinner.lock"),
			args:  []string{"check"},
			want:  []string{`reading lock file "pinner.lock": not a regular file (a FIFO)`},
		},
		{
			name:  "pinner.lock too large",
			setup: sparseAt("pinner.lock", 17<<20),
			want:  []string{`reading "pinner.lock": file too large: 17825792 bytes, the limit is 16777216`},
		},
		{
			name:  "changelog a FIFO",
			setup: fifoAt("CHANGELOG.md"),
			want:  []string{`reading "CHANGELOG.md": not a regular file (a FIFO)`},
		},
		{
			name:  "module a FIFO (check PATH)",
			setup: fifoAt("modules/kubenix/f.nix"),
			args:  []string{"check", filepath.Join("modules", "kubenix", "f.nix")},
			want:  []string{filepath.Join("modules", "kubenix", "f.nix") + ": not a regular file (a FIFO)"},
		},
		{
			name: "module /dev/zero (check PATH)",
			args: []string{"check", "/dev/zero"},
			want: []string{"/dev/zero: not a regular file (a character device)"},
		},
		{
			name:  "changelog symlinked out of the repository",
			setup: linkTo("CHANGELOG.md", "# Elsewhere\n"),
			want:  []string{`changelog "CHANGELOG.md": it resolves to `, "outside the repository"},
		},
		{
			name:  "lock symlinked out of the repository",
			setup: linkTo("pinner.lock", `{"version":1,"images":{}}`),
			want:  []string{`lock "pinner.lock": it resolves to `, "outside the repository"},
		},
		{
			name:  "changelog inside .git",
			setup: appendConfig("changelog: .git/config\n"),
			want:  []string{`registry.yaml:4:12: invalid changelog ".git/config": path is inside .git`},
		},
		{
			name: "changelog through a directory linked into .git",
			setup: func(t *testing.T, dir string) {
				appendConfig("changelog: docs/CHANGELOG.md\n")(t, dir)
				os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
				if err := os.Symlink(".git", filepath.Join(dir, "docs")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`changelog "docs/CHANGELOG.md": it resolves to `, "inside .git"},
		},
		{
			name: "push_to through a symlink out of the repository",
			setup: func(t *testing.T, dir string) {
				appendConfig("push_to: oci:store\n")(t, dir)
				if err := os.Symlink(t.TempDir(), filepath.Join(dir, "store")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`push_to "`, "outside the repository"},
		},
		{
			name:  "--push-to inside .git",
			setup: func(t *testing.T, dir string) { os.MkdirAll(filepath.Join(dir, ".git"), 0o755) },
			args:  []string{"update", "--all", "--push-to", "oci:.git/store"},
			want:  []string{`--push-to "`, "inside .git"},
		},
		{
			name:  "--pr-body inside .git",
			setup: func(t *testing.T, dir string) { os.MkdirAll(filepath.Join(dir, ".git"), 0o755) },
			args:  []string{"update", "--all", "--pr-body", filepath.Join(".git", "PR.md")},
			want:  []string{`--pr-body "`, filepath.Join(".git", "PR.md") + `": it resolves to `, "inside .git, which holds git's own files; pinner never writes inside .git"},
		},
		{
			name:  "--pr-body symlinked out of the repository",
			setup: linkTo("pr.md", "keep me\n"),
			args:  []string{"update", "--all", "--pr-body", "pr.md"},
			want:  []string{`--pr-body "`, `pr.md": it resolves to `, "outside the repository"},
		},
		{
			name: "run-lock file a symlink",
			setup: func(t *testing.T, dir string) {
				os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
				linkTo(".git/pinner.lock-run", "precious\n")(t, dir)
			},
			want: []string{"is a symlink; remove it"},
		},
		{
			name:  "module too large",
			setup: sparseAt("modules/kubenix/big.nix", 40<<20),
			want:  []string{filepath.Join("modules", "kubenix", "big.nix") + ": file too large: 41943040 bytes, the limit is 33554432", "a module must be a Nix file of at most 32 MiB"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, faults := badInputRepo(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			t.Chdir(dir)
			before := snapshotTree(t, dir)
			args := tt.args
			if args == nil {
				args = []string{"update", "--all"}
			}
			code, out, stderr := run(t, "", args...)
			t.Logf("exit %d; stderr:\n%s", code, stderr)
			if code != ExitBadInput {
				t.Fatalf("exit %d, want 2; stdout %q\nstderr:\n%s", code, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			sameFiles(t, before, snapshotTree(t, dir))
			if n := faults.Total(); n != 0 {
				t.Errorf("the registry was asked %d times before the input was checked", n)
			}
		})
	}
}

// linkTo makes rel a symlink to a file outside the repository holding
// content, and checks at the end that the file still holds it.
func linkTo(rel, content string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		target := filepath.Join(t.TempDir(), "outside")
		writeFile(t, target, content)
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if b, _ := os.ReadFile(target); string(b) != content {
				t.Errorf("the file outside the repository changed to %q", b)
			}
		})
	}
}

// fifoAt replaces the file rel of the repository by a FIFO, which a
// reader waits on forever.
func fifoAt(rel string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sparseAt makes rel a file of size zero bytes that takes no disk.
func sparseAt(rel string, size int64) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		f, err := os.Create(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
}

func appendConfig(s string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, "registry.yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, string(b)+s)
	}
}

// linkOutside makes link a symlink to a module in another directory, and
// checks after the test that the module is untouched.
func linkOutside(t *testing.T, link string) {
	t.Helper()
	const content = "{ image = \"busybox:1.37\"; }\n"
	target := filepath.Join(t.TempDir(), "outside.nix")
	writeFile(t, target, content)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b, _ := os.ReadFile(target); string(b) != content {
			t.Errorf("the file outside the repository changed:\n%s", b)
		}
	})
}

// snapshotTree is snapshot that also records symlinks (as their targets)
// instead of reading through them.
func snapshotTree(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		var data string
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			data = "symlink to " + target
		case !fi.Mode().IsRegular():
			data = fi.Mode().String() // a FIFO: reading it would wait
		case fi.Size() > 1<<20:
			data = fmt.Sprintf("%d bytes", fi.Size())
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data = string(b)
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fileState{data: data, mtime: fi.ModTime(), mode: fi.Mode()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpdateRegistryFaultsEndToEnd adds to TestUpdateFaults: transient
// 502, 503 and 429 answers are retried and the run succeeds; a registry
// that keeps failing ends the run with exit 3 after a bounded time, the
// registry named and no file changed; a manifest over 4 MiB is refused
// whether its size comes from HEAD or from the bytes of a GET.
func TestUpdateRegistryFaultsEndToEnd(t *testing.T) {
	tests := []struct {
		name    string
		inject  func(*registry.Faults)
		env     map[string]string
		want    int
		message []string
		within  time.Duration
	}{
		{name: "502s then success", inject: func(f *registry.Faults) { f.FailN(http.StatusBadGateway, 3) }},
		{name: "503s then success", inject: func(f *registry.Faults) { f.FailN(http.StatusServiceUnavailable, 3) }},
		{name: "429 without Retry-After", inject: func(f *registry.Faults) { f.RateLimit(3, "") }},
		{
			name:   "keeps answering 503 (default backoff)",
			inject: func(f *registry.Faults) { f.FailN(http.StatusServiceUnavailable, 1<<30) },
			env:    map[string]string{"PINNER_RETRY_BACKOFF": "200ms"},
			want:   ExitOutside, within: 8 * time.Second,
			message: []string{`resolving "docker.io/library/busybox:1.37": registry docker.io (mirror 127.0.0.1:`, "503 Service Unavailable", "after 5 attempts"},
		},
		{
			name:   "keeps answering 500",
			inject: func(f *registry.Faults) { f.FailN(http.StatusInternalServerError, 1<<30) },
			env:    map[string]string{"PINNER_RETRY_ATTEMPTS": "3"},
			want:   ExitOutside, within: 5 * time.Second,
			message: []string{"registry docker.io (mirror 127.0.0.1:", "500 Internal Server Error", "after 3 attempts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, faults := badInputRepo(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Chdir(dir)
			before := snapshot(t, dir)
			tt.inject(faults)
			start := time.Now()
			code, _, stderr := run(t, "", "update", "--all")
			el := time.Since(start)
			t.Logf("exit %d after %v; stderr:\n%s", code, el, stderr)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if tt.want == 0 {
				if faults.Total() < 2 {
					t.Errorf("no retry happened")
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "modules", "kubenix", "a.nix")); !strings.Contains(string(b), "busybox:1.37@sha256:") {
					t.Errorf("not pinned:\n%s", b)
				}
				return
			}
			if el > tt.within {
				t.Errorf("took %v, want at most %v", el, tt.within)
			}
			for _, m := range tt.message {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			sameFiles(t, before, snapshot(t, dir))
		})
	}

	big, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	big = mutate.Annotations(big, map[string]string{"padding": strings.Repeat("x", oci.MaxManifestSize)}).(v1.Image)
	for _, viaGet := range []bool{false, true} {
		t.Run(fmt.Sprintf("manifest over 4 MiB (GET=%v)", viaGet), func(t *testing.T) {
			dir, faults := badInputRepo(t)
			b, _ := os.ReadFile(filepath.Join(dir, "registry.yaml"))
			host := strings.TrimSuffix(strings.TrimPrefix(strings.Split(string(b), "http://")[1], ""), "/hub\n")
			registry.PushImage(t, host+"/hub/library/busybox:1.37", big)
			if viaGet {
				faults.DropHeadDigest()
			}
			t.Chdir(dir)
			before := snapshot(t, dir)
			code, _, stderr := run(t, "", "update", "--all")
			if code != ExitOutside || !strings.Contains(stderr, "manifest too large") || !strings.Contains(stderr, "the limit is 4194304") {
				t.Errorf("exit %d; stderr:\n%s", code, stderr)
			}
			sameFiles(t, before, snapshot(t, dir))
		})
	}
}

// TestUpdateDistributionStops: the CNCF distribution registry dies in the
// middle of a run (behind a proxy, which then answers 502 as a load
// balancer would), and is down before a run (connection refused). Both
// end with exit 3 naming the registry, within a bounded time, with no file
// changed.
func TestUpdateDistributionStops(t *testing.T) {
	quickRetries(t)
	host, srv := registry.StartDistribution(t)
	fx := seedFixture(t, host, "")
	backend, _ := url.Parse("http://" + host)
	proxy := httputil.NewSingleHostReverseProxy(backend)
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	var manifests atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") && manifests.Add(1) == 6 {
			srv.Stop()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	cfg := filepath.Join(fx.dir, "registry.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.ReplaceAll(string(b), host, strings.TrimPrefix(front.URL, "http://")))
	t.Chdir(fx.dir)
	before := snapshot(t, fx.dir)

	start := time.Now()
	code, _, stderr := run(t, "", "update", "--all")
	t.Logf("stopped mid-run: exit %d after %v; stderr:\n%s", code, time.Since(start), stderr)
	if code != ExitOutside || !strings.Contains(stderr, "(mirror "+strings.TrimPrefix(front.URL, "http://")+")") || !strings.Contains(stderr, "502 Bad Gateway") {
		t.Errorf("stopped mid-run: exit %d; stderr:\n%s", code, stderr)
	}
	if manifests.Load() < 6 {
		t.Errorf("the registry stopped before the run reached it")
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("stopped mid-run: took %v", el)
	}
	sameFiles(t, before, snapshot(t, fx.dir))

	// Down before the run: straight to the stopped registry.
	writeFile(t, cfg, string(b))
	before = snapshot(t, fx.dir)
	start = time.Now()
	code, _, stderr = run(t, "", "update", "--all")
	t.Logf("down: exit %d after %v; stderr:\n%s", code, time.Since(start), stderr)
	// Reported once, for every reference of the host.
	if code != ExitOutside || !strings.Contains(stderr, "and 29 more: registry host "+host+": ") || !strings.Contains(stderr, "connection refused") ||
		strings.Count(stderr, "connection refused") != 1 {
		t.Errorf("down: exit %d; stderr:\n%s", code, stderr)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("down: took %v", el)
	}
	sameFiles(t, before, snapshot(t, fx.dir))
}

// TestSecretsNeverShown: credentials from a docker config.json and
// GITHUB_TOKEN reach the registry (it demands a bearer token) but never
// stdout, stderr at debug level, the lock, the changelog, the modules or
// the pull request body — not on success, not on failures (retries, a
// registry that keeps failing, wrong credentials).
func TestSecretsNeverShown(t *testing.T) {
	quickRetries(t)
	const (
		user     = "robot"
		password = "pw-0123456789-SECRET"
		token    = "tok-9876543210-SECRET"
		ghToken  = "ghp_SECRET0123456789abcdefghijklmnopqrs"
	)
	auth := &registry.BearerAuth{User: user, Password: password, Token: token}
	faults := registry.NewFaults()
	host, _ := registry.StartInProcess(t, auth.Wrap, faults.Wrap)
	t.Cleanup(faults.Release)
	fx := seedFixture(t, host, "")
	auth.Require(true)
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	dockerConfig := t.TempDir()
	writeFile(t, filepath.Join(dockerConfig, "config.json"), `{"auths":{"`+host+`":{"auth":"`+basic+`"}}}`)
	t.Setenv("DOCKER_CONFIG", dockerConfig)
	t.Setenv("GITHUB_TOKEN", ghToken)
	t.Chdir(fx.dir)
	secrets := []string{password, token, basic, ghToken, base64.StdEncoding.EncodeToString([]byte("x-access-token:" + ghToken))}
	leaks := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows a secret %q", where, s)
			}
		}
	}

	prBody := filepath.Join(t.TempDir(), "pr.md")
	faults.FailN(http.StatusServiceUnavailable, 2) // retries are logged too
	code, out, stderr := run(t, "", "--log-level", "debug", "update", "--all", "--pr-body", prBody)
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	if auth.TokenRequests() == 0 || !strings.Contains(stderr, "Authorization:REDACTED") {
		t.Fatalf("the registry was reached without credentials, or nothing was logged:\n%s", stderr)
	}
	leaks("update stdout", out)
	leaks("update stderr", stderr)
	for name, f := range contents(t, fx.dir) {
		leaks(name, f)
	}
	pr, _ := os.ReadFile(prBody)
	leaks("pull request body", string(pr))

	code, out, stderr = run(t, "", "--log-level", "debug", "resolve", "--json", "busybox:1.37", "ghcr.io/qdm12/gluetun:v3.40.0")
	if code != 0 {
		t.Fatalf("resolve: exit %d; stderr:\n%s", code, stderr)
	}
	leaks("resolve stdout", out)
	leaks("resolve stderr", stderr)

	faults.FailN(http.StatusServiceUnavailable, 1<<30)
	t.Setenv("PINNER_RETRY_ATTEMPTS", "2")
	code, out, stderr = run(t, "", "--log-level", "debug", "resolve", "busybox:1.37")
	if code != ExitOutside {
		t.Errorf("failing registry: exit %d", code)
	}
	leaks("failing resolve stdout", out)
	leaks("failing resolve stderr", stderr)
	faults.FailN(0, 0)

	writeFile(t, filepath.Join(dockerConfig, "config.json"), `{"auths":{"`+host+`":{"auth":"`+base64.StdEncoding.EncodeToString([]byte(user+":"+password+"-wrong"))+`"}}}`)
	secrets = append(secrets, password+"-wrong")
	code, out, stderr = run(t, "", "--log-level", "debug", "resolve", "busybox:1.37")
	if code != ExitOutside || !strings.Contains(stderr, "UNAUTHORIZED") {
		t.Errorf("wrong credentials: exit %d; stderr:\n%s", code, stderr)
	}
	leaks("wrong-credentials stdout", out)
	leaks("wrong-credentials stderr", stderr)

	// A registry that quotes the credentials it refuses in its error
	// bodies: the message is shown, the credentials are not.
	auth.Echo(true)
	code, out, stderr = run(t, "", "--log-level", "debug", "resolve", "busybox:1.37")
	if code != ExitOutside || !strings.Contains(stderr, "refused request with Authorization: REDACTED") {
		t.Errorf("echoing registry, wrong credentials: exit %d; stderr:\n%s", code, stderr)
	}
	leaks("echoed wrong-credentials stderr", stderr)
	writeFile(t, filepath.Join(dockerConfig, "config.json"), `{"auths":{"`+host+`":{"auth":"`+basic+`"}}}`)
	code, out, stderr = run(t, "", "--log-level", "debug", "update", "--all")
	if code != ExitOutside || !strings.Contains(stderr, "DENIED: refused request with Authorization: REDACTED") {
		t.Errorf("echoing registry: exit %d; stderr:\n%s", code, stderr)
	}
	leaks("echoed stdout", out)
	leaks("echoed stderr", stderr)
}

// TestPlainHTTPRefused: a mirror over plain http to a host that is neither
// loopback nor listed under insecure: is refused before any connection
// (see also internal/oci TestResolveRefusesPlainHTTP, which shows no
// request reaches the transport), exit 3 with the reason, nothing written.
// Listing the host under insecure: lets pinner try, and fail on the
// unresolvable name instead.
func TestPlainHTTPRefused(t *testing.T) {
	quickRetries(t)
	dir, _ := badInputRepo(t)
	writeFile(t, filepath.Join(dir, "registry.yaml"), "version: 1\nmirrors:\n  docker.io: http://example.invalid/hub\n")
	t.Chdir(dir)
	before := snapshot(t, dir)
	start := time.Now()
	code, _, stderr := run(t, "", "update", "--all")
	want := `mirror "http://example.invalid/hub" for docker.io: plain http not allowed: example.invalid is neither loopback nor listed in insecure`
	if code != ExitOutside || !strings.Contains(stderr, want) {
		t.Errorf("exit %d; stderr:\n%s", code, stderr)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v: a connection was attempted?", el)
	}
	sameFiles(t, before, snapshot(t, dir))

	writeFile(t, filepath.Join(dir, "registry.yaml"), "version: 1\nmirrors:\n  docker.io: http://example.invalid/hub\ninsecure: [example.invalid]\n")
	t.Setenv("PINNER_RETRY_ATTEMPTS", "1")
	code, _, stderr = run(t, "", "update", "--all")
	if code != ExitOutside || strings.Contains(stderr, "plain http not allowed") {
		t.Errorf("listed insecure: exit %d; stderr:\n%s", code, stderr)
	}
}

// TestSymlinkInsideRepository: a module that is a symlink to a file
// elsewhere in the repository is read once, under its target's name, and
// an update writes the target: the link stays a link.
func TestSymlinkInsideRepository(t *testing.T) {
	dir, _ := badInputRepo(t)
	writeFile(t, filepath.Join(dir, "shared", "b.nix"), "{ image = \"busybox:1.37\"; }\n")
	link := filepath.Join(dir, "modules", "kubenix", "b.nix")
	if err := os.Symlink(filepath.Join("..", "..", "shared", "b.nix"), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.nix", filepath.Join(dir, "modules", "kubenix", "again.nix")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, stderr := run(t, "", "scan")
	if code != 0 || !strings.Contains(out, filepath.Join("shared", "b.nix")+":1:11") || strings.Count(out, "busybox:1.37") != 2 {
		t.Errorf("scan: exit %d; stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "shared", "b.nix")); !strings.Contains(string(b), "busybox:1.37@sha256:") {
		t.Errorf("the target was not pinned:\n%s", b)
	}
}

// TestUpdateOwnedUploadFaults: pushing the images the repository builds
// meets connection resets and 503s in the middle of blob uploads and
// succeeds (oci · TestPublishRetriesUploads has the details); a registry
// whose uploads keep failing ends the run with exit 3, naming it, and no
// file changed.
func TestUpdateOwnedUploadFaults(t *testing.T) {
	quickRetries(t)
	faults := registry.NewFaults()
	host, _ := registry.StartInProcess(t, faults.Wrap)
	t.Cleanup(faults.Release)
	ofx := newOwnedFixture(t, host, "")
	t.Chdir(ofx.dir)

	// First, with every upload failing (the registry then lacks the blobs
	// the second part needs to push).
	t.Setenv("PINNER_RETRY_ATTEMPTS", "3")
	before := snapshot(t, ofx.dir)
	faults.FailUploads(http.StatusInternalServerError, 1<<30)
	code, _, stderr := run(t, "", "update", "--all")
	t.Logf("uploads failing: exit %d; stderr:\n%s", code, stderr)
	if code != ExitOutside || !strings.Contains(stderr, "registry ghcr.io (mirror "+host+")") || !strings.Contains(stderr, "500 Internal Server Error") {
		t.Errorf("uploads failing: exit %d; stderr:\n%s", code, stderr)
	}
	sameFiles(t, before, snapshot(t, ofx.dir))

	_, faultedBefore := faults.Uploads()
	faults.FailUploads(0, 0)
	faults.ResetUploads(2).FailUploads(http.StatusServiceUnavailable, 2)
	code, _, stderr = run(t, "", "update", "--all")
	if code != 0 {
		t.Fatalf("update: exit %d; stderr:\n%s", code, stderr)
	}
	if _, faulted := faults.Uploads(); faulted-faultedBefore != 4 {
		t.Errorf("%d uploads faulted, want 4", faulted-faultedBefore)
	}
	for _, s := range ownedSites(t) {
		if !s.Pinned {
			t.Errorf("%s: %s not pinned", s.Position(), s.Ref)
		}
	}
	// Everything arrived: a second run uploads nothing and changes nothing.
	before = snapshot(t, ofx.dir)
	total, _ := faults.Uploads()
	if code, _, stderr := run(t, "", "update", "--all"); code != 0 {
		t.Fatalf("second update: exit %d; stderr:\n%s", code, stderr)
	}
	if again, _ := faults.Uploads(); again != total {
		t.Errorf("the second run uploaded %d blobs", again-total)
	}
	sameFiles(t, before, snapshot(t, ofx.dir))
}

// TestUpdatePRBodyFailureChangesNothing: the --pr-body file is written
// with the others, before any rename; one that cannot be created fails
// the run with no file changed (it used to be written after the modules
// were replaced). A hard-linked module is refused the same way.
func TestUpdatePRBodyFailureChangesNothing(t *testing.T) {
	quickRetries(t)
	fx := newFixture(t, "")
	t.Chdir(fx.dir)
	before := snapshot(t, fx.dir)
	body := filepath.Join(t.TempDir(), "missing", "pr.md")
	code, _, stderr := run(t, "", "update", "--all", "--pr-body", body)
	sameFiles(t, before, snapshot(t, fx.dir))
	if code != ExitOutside || !strings.Contains(stderr, body) {
		t.Fatalf("exit %d, want 3 naming %s; stderr:\n%s", code, body, stderr)
	}

	mod := filepath.Join(fx.dir, "modules", "kubenix", "apps", "qbittorrent.nix")
	if err := os.Link(mod, filepath.Join(t.TempDir(), "other-name.nix")); err != nil {
		t.Skipf("this file system has no hard links: %v", err)
	}
	code, _, stderr = run(t, "", "update", "--all")
	if code != ExitBadInput || !strings.Contains(stderr, "file has other hard links (2 names)") {
		t.Fatalf("hard-linked module: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	sameFiles(t, before, snapshot(t, fx.dir))
}

// TestDryRunDuringUpdate: a dry run takes no lock, so another update may
// replace a module between its scan and its edit. It used to fail with
// "the image site is gone after the edit"; it now says that another
// update runs (holding the lock), or, when none does, that something
// changed the file.
func TestDryRunDuringUpdate(t *testing.T) {
	quickRetries(t)
	var change atomic.Bool
	var dir string
	mod := filepath.Join("modules", "kubenix", "apps", "qbittorrent.nix")
	other := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The other run replaces the module while this one asks the
			// registry, as its own rename would.
			if strings.Contains(r.URL.Path, "/manifests/") && change.CompareAndSwap(true, false) {
				b, _ := os.ReadFile(filepath.Join(dir, mod))
				writeFile(t, filepath.Join(dir, mod), "# pinned by the other run\n"+string(b))
			}
			next.ServeHTTP(w, r)
		})
	}
	host, _ := registry.StartInProcess(t, other)
	fx := seedFixture(t, host, "")
	dir = fx.dir
	t.Chdir(fx.dir)

	l, err := runlock.Acquire(context.Background(), runlock.Path("."), false)
	if err != nil {
		t.Fatal(err)
	}
	change.Store(true)
	code, _, stderr := run(t, "", "update", "--all", "--dry-run")
	l.Release()
	want := fmt.Sprintf("another pinner update is running in this repository (pid %d; lock file .pinner.run.lock) and changed the files while this dry run read them", os.Getpid())
	if code != ExitOutside || !strings.Contains(stderr, want) || !strings.Contains(stderr, mod+":") || strings.Contains(stderr, "site is gone") {
		t.Fatalf("exit %d, want 3 and %q; stderr:\n%s", code, want, stderr)
	}

	change.Store(true)
	code, _, stderr = run(t, "", "update", "--all", "--dry-run")
	if code != ExitOutside || !strings.Contains(stderr, "file changed since it was scanned; something else (an editor, a git checkout, another pinner run) changed it meanwhile") {
		t.Fatalf("without a lock held: exit %d; stderr:\n%s", code, stderr)
	}
}

// TestCheckDoublingModule: a 1 KB module whose bindings each double the
// string before them took the scanner past 8 GB. Evaluation is bounded by
// the file's size now: check answers at once, and says why the image
// cannot be known.
func TestCheckDoublingModule(t *testing.T) {
	var b strings.Builder
	b.WriteString("let\n  a0 = \"ab\";\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "  a%d = \"${a%d}${a%d}\";\n", i, i-1, i-1)
	}
	b.WriteString("in { image = \"ghcr.io/x/${a40}:1\"; }\n")
	dir := writeFiles(t, map[string]string{"modules/kubenix/bomb.nix": b.String()})
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	code, out, stderr := run(t, dir, "check", "--json")
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if code != ExitFindings || !strings.Contains(out, "too complex to evaluate statically") {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, out, stderr)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 256<<20 {
		t.Errorf("check allocated %d MiB for a 1 KB module", grown>>20)
	}
}
