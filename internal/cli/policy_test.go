package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/outdated"
)

// TestPolicyCommands: outdated reads the policies (what update would move
// to, and why the newest is held back), and update --dry-run prints the
// planned moves with their class.
func TestPolicyCommands(t *testing.T) {
	dir, _ := outdatedRepo(t)
	cfgPath := filepath.Join(dir, "registry.yaml")
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfgPath, string(b)+"policies:\n  - match: \"ghcr.io/x/app\"\n    update: minor\n  - match: \"docker.io/library/*\"\n    update: patch\n")

	code, out, stderr := run(t, dir, "outdated", "--json")
	if code != 0 {
		t.Fatalf("outdated: exit %d; %s", code, stderr)
	}
	var got []outdated.Entry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	byRef := map[string]outdated.Entry{}
	for _, e := range got {
		byRef[e.Ref] = e
	}
	if e := byRef["ghcr.io/x/app:1.0.0"]; e.Latest != "2.0.0" || e.Update != "1.10.0" || e.Held != "a major step; the policy allows up to minor steps" {
		t.Errorf("app: %+v", e)
	}
	if e := byRef["busybox:1.37"]; e.Latest != "1.38" || e.Update != "" || e.Held != "a minor step; the policy allows patch steps only" {
		t.Errorf("busybox: %+v", e)
	}
	code, out, _ = run(t, dir, "outdated")
	if code != 0 || !strings.Contains(out, "update moves to 1.10.0; held: a major step; the policy allows up to minor steps") {
		t.Errorf("outdated table: exit %d\n%s", code, out)
	}

	code, out, stderr = run(t, dir, "update", "--all", "--dry-run", "--no-build")
	if code != 0 {
		t.Fatalf("update --dry-run: exit %d; %s", code, stderr)
	}
	for _, want := range []string{
		"pinner: would move ghcr.io/x/app 1.0.0 → 1.10.0 (minor)\n",
		"pinner: would move ghcr.io/x/app 1.1.0 → 1.10.0 (minor)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, `+  app = { image = "ghcr.io/x/app:1.10.0@sha256:`) {
		t.Errorf("the diff does not move app:\n%s", out)
	}
	if strings.Contains(stderr, "would move docker.io/library/busybox") {
		t.Errorf("busybox moved past its patch policy:\n%s", stderr)
	}
}
