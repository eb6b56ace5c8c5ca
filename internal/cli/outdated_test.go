package cli

import (
	"github.com/pinner-dev/pinner/internal/outdated"

	"github.com/pinner-dev/pinner/internal/progress"

	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

// outdatedRepo is a tree whose modules use images of one in-process
// registry (through mirrors) that holds several tags of each.
func outdatedRepo(t *testing.T, wrappers ...func(http.Handler) http.Handler) (dir, host string) {
	t.Helper()
	host, _ = registry.StartInProcess(t, wrappers...)
	mirrors := mirrorsFor(host)
	for ref, tags := range map[string][]string{
		"ghcr.io/x/app":             {"1.0.0", "1.1.0", "1.10.0", "1.9.0", "2.0.0", "2.1.0-rc.1", "latest", "v3.0.0"},
		"ghcr.io/x/vapp":            {"v0.1.0", "v0.2.0", "0.3.0"},
		"docker.io/library/busybox": {"1.36", "1.37", "1.38", "1.38.1", "1.39-musl"},
		"ghcr.io/x/ignored":         {"1.0.0", "9.0.0"},
	} {
		for _, tag := range tags {
			r, err := name.ParseReference(ref + ":" + tag)
			if err != nil {
				t.Fatal(err)
			}
			target, err := oci.MirrorRef(r, mirrors, nil)
			if err != nil {
				t.Fatal(err)
			}
			registry.PushRandom(t, target.Name(), false)
		}
	}
	dir = writeFiles(t, map[string]string{
		"registry.yaml": "version: 1\nignore: [ghcr.io/x/ignored]\n" +
			"images:\n  own:\n    repository: ghcr.io/x/own\n    build: {file: own.nix}\n" +
			"mirrors:\n" +
			"  ghcr.io: " + mirrors["ghcr.io"] + "\n  docker.io: " + mirrors["docker.io"] + "\n",
		"modules/kubenix/apps/a.nix": `{
  app = { image = "ghcr.io/x/app:1.0.0"; };
  box = { image = "busybox:1.37"; };
  vapp = { image = "ghcr.io/x/vapp:v0.1.0"; };
}
`,
		"modules/kubenix/apps/b.nix": `{
  current = { image = "ghcr.io/x/app:2.0.0"; };
  floating = { image = "ghcr.io/x/app:latest"; };
  ignored = { image = "ghcr.io/x/ignored:1.0.0"; };
  own = { image = "ghcr.io/x/own:1.0.0"; };
  helm = { repository = "ghcr.io/x/app"; tag = "1.1.0"; };
}
`,
	})
	t.Setenv("PINNER_RETRY_ATTEMPTS", "1")
	return dir, host
}

func TestOutdated(t *testing.T) {
	const nopol = "no policy moves this tag"
	dir, host := outdatedRepo(t)
	d := pushedDigests(t, host)
	a := filepath.Join("modules", "kubenix", "apps", "a.nix")
	b := filepath.Join("modules", "kubenix", "apps", "b.nix")
	for _, tc := range []struct {
		name string
		args []string
		want []outdated.Entry
	}{
		{"default", nil, []outdated.Entry{
			{File: a, Line: 2, Ref: "ghcr.io/x/app:1.0.0", Current: "1.0.0", Latest: "2.0.0", Digest: d("ghcr.io/x/app:2.0.0"), Class: "major", Held: nopol},
			{File: a, Line: 3, Ref: "busybox:1.37", Current: "1.37", Latest: "1.38", Digest: d("docker.io/library/busybox:1.38"), Class: "minor", Held: nopol},
			{File: a, Line: 4, Ref: "ghcr.io/x/vapp:v0.1.0", Current: "v0.1.0", Latest: "v0.2.0", Digest: d("ghcr.io/x/vapp:v0.2.0"), Class: "minor", Held: nopol},
			{File: b, Line: 6, Ref: "ghcr.io/x/app:1.1.0", Current: "1.1.0", Latest: "2.0.0", Digest: d("ghcr.io/x/app:2.0.0"), Class: "major", Held: nopol},
		}},
		{"no-major", []string{"--no-major"}, []outdated.Entry{
			{File: a, Line: 2, Ref: "ghcr.io/x/app:1.0.0", Current: "1.0.0", Latest: "1.10.0", Digest: d("ghcr.io/x/app:1.10.0"), Class: "minor", Held: nopol},
			{File: a, Line: 3, Ref: "busybox:1.37", Current: "1.37", Latest: "1.38", Digest: d("docker.io/library/busybox:1.38"), Class: "minor", Held: nopol},
			{File: a, Line: 4, Ref: "ghcr.io/x/vapp:v0.1.0", Current: "v0.1.0", Latest: "v0.2.0", Digest: d("ghcr.io/x/vapp:v0.2.0"), Class: "minor", Held: nopol},
			{File: b, Line: 6, Ref: "ghcr.io/x/app:1.1.0", Current: "1.1.0", Latest: "1.10.0", Digest: d("ghcr.io/x/app:1.10.0"), Class: "minor", Held: nopol},
		}},
		{"prerelease", []string{"--prerelease"}, []outdated.Entry{
			{File: a, Line: 2, Ref: "ghcr.io/x/app:1.0.0", Current: "1.0.0", Latest: "2.1.0-rc.1", Digest: d("ghcr.io/x/app:2.1.0-rc.1"), Class: "major", Held: nopol},
			{File: a, Line: 3, Ref: "busybox:1.37", Current: "1.37", Latest: "1.38", Digest: d("docker.io/library/busybox:1.38"), Class: "minor", Held: nopol},
			{File: a, Line: 4, Ref: "ghcr.io/x/vapp:v0.1.0", Current: "v0.1.0", Latest: "v0.2.0", Digest: d("ghcr.io/x/vapp:v0.2.0"), Class: "minor", Held: nopol},
			{File: b, Line: 2, Ref: "ghcr.io/x/app:2.0.0", Current: "2.0.0", Latest: "2.1.0-rc.1", Digest: d("ghcr.io/x/app:2.1.0-rc.1"), Class: "minor", Held: nopol},
			{File: b, Line: 6, Ref: "ghcr.io/x/app:1.1.0", Current: "1.1.0", Latest: "2.1.0-rc.1", Digest: d("ghcr.io/x/app:2.1.0-rc.1"), Class: "major", Held: nopol},
		}},
		{"one file", []string{b}, []outdated.Entry{
			{File: b, Line: 6, Ref: "ghcr.io/x/app:1.1.0", Current: "1.1.0", Latest: "2.0.0", Digest: d("ghcr.io/x/app:2.0.0"), Class: "major", Held: nopol},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := run(t, dir, append([]string{"outdated", "--json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d; stderr %q", code, stderr)
			}
			var got []outdated.Entry
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outdated (-want +got):\n%s", diff)
			}
		})
	}

	// The table, and plain progress lines on a stderr that is no terminal.
	code, out, stderr := run(t, dir, "outdated")
	if code != 0 {
		t.Fatalf("table: exit %d; stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "LOCATION") || !strings.Contains(lines[2], "busybox:1.37") || !strings.Contains(lines[2], " 1.38    minor  "+progress.Abbrev(d("docker.io/library/busybox:1.38"))+"  held: "+nopol) {
		t.Errorf("table:\n%s", out)
	}
	if !strings.Contains(stderr, "listing the tags of 3 repositories") {
		t.Errorf("stderr lacks the progress line: %q", stderr)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour on a non-terminal: %q", out)
	}
}

func TestOutdatedNothingNewer(t *testing.T) {
	dir, _ := outdatedRepo(t)
	writeFile(t, filepath.Join(dir, "other", "d.nix"), `{ image = "ghcr.io/x/app:2.0.0"; }`+"\n")
	code, out, stderr := run(t, dir, "--quiet", "outdated", "--json", "other")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("exit %d, output %q (want []), stderr %q", code, out, stderr)
	}
	if stderr != "" {
		t.Errorf("--quiet printed %q", stderr)
	}
}

func TestOutdatedRegistryFailureExits3(t *testing.T) {
	dir, _ := outdatedRepo(t)
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "apps", "c.nix"), `{ image = "ghcr.io/x/missing:1.0.0"; }`+"\n")
	code, out, stderr := run(t, dir, "outdated", "--json")
	if code != ExitOutside {
		t.Fatalf("exit %d, want 3; stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "ghcr.io/x/missing") && !strings.Contains(stderr, "x/missing") {
		t.Errorf("stderr does not name the repository: %q", stderr)
	}
	var got []outdated.Entry
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 4 {
		t.Errorf("the other sites must still be listed: %v\n%s", err, out)
	}
}

// TestOutdatedTagListLoop: a registry whose tag list names itself as the
// next page (532,000 requests in 60 s, before) is asked twice, and
// outdated exits 3 saying so, after listing the other repositories.
func TestOutdatedTagListLoop(t *testing.T) {
	var lists atomic.Int64
	loop := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/ghcr.io/x/app/tags/list") {
				lists.Add(1)
				w.Header().Set("Link", "<"+r.URL.RequestURI()+`>; rel="next"`)
			}
			next.ServeHTTP(w, r)
		})
	}
	dir, _ := outdatedRepo(t, loop)
	code, out, stderr := run(t, dir, "outdated", "--json")
	if code != ExitOutside || !strings.Contains(stderr, "listing tags of x/app: tag list refused: the registry's Link header leads back to a page already read") {
		t.Fatalf("exit %d, want 3 and the loop named; stderr:\n%s", code, stderr)
	}
	if n := lists.Load(); n != 2 {
		t.Errorf("the looping tag list was asked for %d times, want 2", n)
	}
	var got []outdated.Entry
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Errorf("the sites of busybox and vapp must still be listed: %v\n%s", err, out)
	}
}
