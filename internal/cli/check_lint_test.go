package cli

import (
	"strings"
	"testing"
)

// TestCheckWarnsOfLookAlikes: check warns, on stderr and without failing
// for it, of an images: entry no module references and of a site whose
// repository is one letter off an owned one.
func TestCheckWarnsOfLookAlikes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"registry.yaml":         "version: 1\nimages:\n  backup-toolbox:\n    repository: ghcr.io/me/backup-toolbox\n    build: {file: a.nix}\n",
		"modules/kubenix/a.nix": "{ image = \"ghcr.io/me/backup-tolbox:1.0@sha256:" + strings.Repeat("a", 64) + "\"; }\n",
	})
	code, out, stderr := run(t, dir, "check")
	if code != 0 || out != "" {
		t.Errorf("exit %d, stdout %q; want 0 and no findings", code, out)
	}
	for _, want := range []string{
		`warning: modules/kubenix/a.nix:1:11: image "ghcr.io/me/backup-tolbox:1.0@sha256:`,
		`it is 1 character(s) from the repository of images: "backup-toolbox" (ghcr.io/me/backup-toolbox)`,
		`warning: images: "backup-toolbox" (ghcr.io/me/backup-toolbox): no module references it`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
