// Package n2cimage builds nix2container image.json files for tests with
// the real nix2container binary and Nix: the binary and its recipe of plain
// derivations (n2c.nix) are in shared/tools/nix2container beside the
// repository. Tests skip when nix-build, jq or the binary is absent.
package n2cimage

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tool is the nix2container binary and the n2c.nix recipe; it skips the
// test when either, nix-build or jq is missing.
func Tool(t testing.TB) (bin, recipe string) {
	t.Helper()
	for _, c := range []string{"nix-build", "jq"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not installed", c)
		}
	}
	dir := toolDir()
	bin, recipe = filepath.Join(dir, "nix2container"), filepath.Join(dir, "n2c.nix")
	for _, f := range []string{bin, recipe} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("nix2container not found: %v", err)
		}
	}
	return bin, recipe
}

// toolDir is $PINNER_NIX2CONTAINER_DIR, else shared/tools/nix2container
// beside the repository holding the working directory.
func toolDir() string {
	if d := os.Getenv("PINNER_NIX2CONTAINER_DIR"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for range 32 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "tools", "nix2container")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// Build runs nix-build on file's attribute attr with the binary and the
// recipe as the arguments bin and n2c, and the strings of args, and
// returns the store path built (an image.json).
func Build(t testing.TB, file, attr string, args map[string]string) string {
	t.Helper()
	bin, recipe := Tool(t)
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{abs, "--no-out-link", "-A", attr, "--arg", "n2c", recipe, "--argstr", "bin", bin}
	for k, v := range args {
		argv = append(argv, "--argstr", k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nix-build", argv...)
	cmd.Env = append(os.Environ(), "NIX_CONFIG=substituters =")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("nix-build %s -A %s: %v\n%s", file, attr, err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return out
}
