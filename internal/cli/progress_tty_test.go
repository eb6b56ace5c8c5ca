package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/testutil/tmux"
)

// slowImage builds after sleeping: long enough to watch the spinner and
// to interrupt it. The nonce makes each build new to Nix.
const slowImage = `{ system ? builtins.currentSystem or "x86_64-linux", nonce ? "", seconds ? "1" }:
let
  images = import ./lib { inherit system; };
  base = images.archive {
    name = "slow";
    tag = "1.0";
    layers = [ { "etc/slow" = "slow ${nonce}\n"; } { "etc/shared" = "the same in every build\n"; } ];
  };
in
derivation (base.drvAttrs // { args = [ "-c" "sleep ${seconds}; exec /bin/sh ${./lib/build-image.sh}" ]; })
`

// slowRepo is a repository that builds slowImage, with registry.yaml
// asking for a build of seconds.
func slowRepo(t *testing.T, dir string, seconds int) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "registry.yaml"), fmt.Sprintf(`version: 1
images:
  slow:
    repository: ghcr.io/me/slow
    build:
      file: img/slow.nix
      args: {nonce: "%d", seconds: "%d"}
`, rand.Int64(), seconds))
}

// TestBuildProgressFinalFrame runs update with live bars in a real
// terminal (tmux): once the build is done its spinner is cleared and says
// done; a push whose shared layer the destination already has shows its
// real size, not 0 B; and Ctrl-C during the build leaves one clean line
// saying stopped (the echoed ^C shifted every later frame two columns:
// "bubuilding … do"), with the terminal's echo of control characters
// given back.
func TestBuildProgressFinalFrame(t *testing.T) {
	needNix(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(testDir, "..", "..", "modules-fixtures", "oci-images", "lib"), filepath.Join(dir, "img", "lib"))
	writeFile(t, filepath.Join(dir, "img", "slow.nix"), slowImage)
	writeFile(t, filepath.Join(dir, "modules", "kubenix", "a.nix"), "{ a.image = \"ghcr.io/me/slow:1.0\"; }\n")
	store := filepath.Join(t.TempDir(), "store")
	bin := pinnerBinary(t)
	s := tmux.Start(t, 160, 30, dir, "NIX_CONFIG=substituters =")
	update := bin + " update --all --push-to oci:" + store

	row := func(rows []string, prefix string) string {
		for _, r := range rows {
			if strings.HasPrefix(strings.TrimLeft(r, " "), prefix) || strings.Contains(r, prefix) {
				return r
			}
		}
		t.Fatalf("no row with %q:\n%s", prefix, strings.Join(rows, "\n"))
		return ""
	}
	spinning := func(r string) bool {
		return strings.ContainsFunc(r, func(c rune) bool { return c >= 0x2800 && c <= 0x28ff })
	}

	for run := range 2 {
		// The second run's shared layer is in the layout already.
		slowRepo(t, dir, 1)
		rows, code := s.Run(update, 2*time.Minute)
		if code != 0 {
			t.Fatalf("run %d: exit %d:\n%s", run, code, strings.Join(rows, "\n"))
		}
		build := row(rows, "building 1 installable through nix")
		if !strings.HasSuffix(build, " done") || spinning(build) || strings.Count(build, "building") != 1 {
			t.Errorf("run %d: the build's last frame: %q", run, build)
		}
		push := row(rows, "pushing ghcr.io/me/slow:1.0")
		var got, total string
		if f := strings.Fields(strings.TrimPrefix(push, "pushing ghcr.io/me/slow:1.0")); len(f) >= 5 && f[2] == "/" {
			got, total = f[0]+" "+f[1], f[3]+" "+f[4]
		}
		if got == "" || got != total || strings.HasPrefix(got, "0.0 ") || !strings.HasSuffix(push, " done") {
			t.Errorf("run %d: the push's last frame: %q", run, push)
		}
	}

	slowRepo(t, dir, 120)
	s.Type("clear")
	s.WaitFor("$", 10*time.Second)
	s.Type(update + "; echo \"interrupted=$?\"")
	s.WaitFor("building 1 installable through nix", time.Minute)
	time.Sleep(700 * time.Millisecond) // a few frames
	s.Keys("C-c")
	rows := s.WaitFor("\ninterrupted=", time.Minute)
	screen := strings.Join(rows, "\n")
	build := row(rows, "building 1 installable through nix")
	if !strings.HasPrefix(build, "building") || !strings.HasSuffix(build, " stopped") || spinning(build) ||
		strings.Contains(screen, "^C") || !strings.Contains(screen, "pinner: interrupted") || !strings.Contains(screen, "interrupted=130") {
		t.Errorf("after Ctrl-C:\n%s", screen)
	}
	out := filepath.Join(t.TempDir(), "stty")
	if _, code := s.Run("stty -a >"+out, 10*time.Second); code != 0 {
		t.Fatal("stty failed")
	}
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "-echoctl") || !strings.Contains(string(b), "echoctl") {
		t.Errorf("the terminal's echoctl was not given back:\n%s", b)
	}
}
