package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// model is pinner's command model, as completion sees it.
func model(t *testing.T) *kong.Application {
	t.Helper()
	var root CLI
	p, err := kong.New(&root, kong.Name("pinner"), kongVars)
	if err != nil {
		t.Fatal(err)
	}
	return p.Model
}

// completions asks pinner, in process, what completes the last word of
// line, as a shell does through COMP_LINE.
func completions(t *testing.T, dir, line string) []string {
	t.Helper()
	t.Setenv("COMP_LINE", line)
	t.Setenv("COMP_POINT", "")
	code, out, stderr := run(t, dir, "ignored")
	if code != 0 {
		t.Fatalf("completing %q: exit %d, stderr %q", line, code, stderr)
	}
	got := strings.Fields(out)
	slices.Sort(got)
	return got
}

func TestCompletionCompletes(t *testing.T) {
	root := filepath.Join(testDir, "..", "..")
	nixDir := writeFiles(t, map[string]string{"a.nix": "{}", "b.txt": "", "sub/c.nix": "{}"})
	for _, tc := range []struct {
		dir, line string
		want      []string
	}{
		{root, "pinner up", []string{"update"}},
		{root, "pinner --log-level w", []string{"warn"}},
		{root, "pinner --progress ", []string{"auto", "none", "plain", "tty"}},
		{root, "pinner outdated --ma", []string{"--major"}},
		{root, "pinner update --dry", []string{"--dry-run"}},
		{root, "pinner update backup", []string{"backup-toolbox"}},
		{root, "pinner build valoris-", []string{"valoris-backend", "valoris-frontend"}},
		{root, "pinner completion f", []string{"fish"}},
		{root, "pinner -q ch", []string{"check"}},
		{nixDir, "pinner scan ", []string{"./", "a.nix", "sub/"}},
	} {
		if got := completions(t, tc.dir, tc.line); !slices.Equal(got, tc.want) {
			t.Errorf("completing %q: got %q, want %q", tc.line, got, tc.want)
		}
	}
	// Every visible command and flag is offered; hidden ones are not.
	app := model(t)
	cmds := completions(t, root, "pinner ")
	for _, n := range app.Node.Children {
		if got := slices.Contains(cmds, n.Name); got == n.Hidden {
			t.Errorf("command %s offered %v, hidden %v", n.Name, got, n.Hidden)
		}
		flags := completions(t, root, "pinner "+n.Name+" --")
		for _, f := range n.Flags {
			if got := slices.Contains(flags, "--"+f.Name); got == f.Hidden {
				t.Errorf("flag --%s of %s offered %v, hidden %v", f.Name, n.Name, got, f.Hidden)
			}
		}
	}
	// A broken configuration lists no image, and says nothing.
	broken := writeFiles(t, map[string]string{"registry.yaml": "version: 9\n"})
	if got := completions(t, broken, "pinner update "); len(got) != 0 {
		t.Errorf("broken config: %q", got)
	}
}

func TestCompletionScriptsParse(t *testing.T) {
	for shell, check := range map[string][]string{
		"bash": {"bash", "-n"},
		"zsh":  {"zsh", "-n"},
		"fish": {"fish", "--no-execute"},
	} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(check[0]); err != nil {
				if shell == "bash" {
					t.Fatal("bash is not installed")
				}
				t.Skipf("%s is not installed", shell)
			}
			code, script, stderr := run(t, "", "completion", shell)
			if code != 0 || script == "" {
				t.Fatalf("completion %s: exit %d, stderr %q", shell, code, stderr)
			}
			path := filepath.Join(t.TempDir(), "pinner."+shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(check[0], append(check[1:], path)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", strings.Join(check, " "), path, err, out)
			}
		})
	}
}

// TestBashCompletionRunsPinner: bash, given the script, asks the pinner
// on PATH and offers what it answers.
func TestBashCompletionRunsPinner(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is not installed")
	}
	bin := pinnerBinary(t)
	code, script, _ := run(t, "", "completion", "bash")
	if code != 0 {
		t.Fatal("completion bash failed")
	}
	// The function bash registered with `complete -C` runs the command
	// with COMP_LINE and COMP_POINT, as completion does.
	probe := script + `
spec=$(complete -p pinner)
[[ "$spec" == *"-C "*pinner* ]] || { echo "no command completion: $spec"; exit 1; }
COMP_LINE="pinner update --dry" COMP_POINT=19 pinner`
	cmd := exec.Command("bash", "-c", probe)
	cmd.Dir = filepath.Join(testDir, "..", "..")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "--dry-run" {
		t.Fatalf("bash: %v\n%s", err, out)
	}
}
