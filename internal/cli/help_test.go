package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHelpGolden holds the --help of pinner and of every command to
// testdata/help/<command>.txt; go test -run TestHelpGolden -update
// rewrites them.
func TestHelpGolden(t *testing.T) {
	cmds := [][]string{{}}
	for _, n := range model(t).Node.Children {
		if !n.Hidden {
			cmds = append(cmds, []string{n.Name})
		}
	}
	for _, cmd := range cmds {
		name := "pinner"
		if len(cmd) > 0 {
			name = cmd[0]
		}
		t.Run(name, func(t *testing.T) {
			code, out, stderr := run(t, "", append(cmd, "--help")...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			path := filepath.Join(testDir, "testdata", "help", name+".txt")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelpGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), out); diff != "" {
				t.Errorf("%s --help (-want +got):\n%s", name, diff)
			}
		})
	}
}
