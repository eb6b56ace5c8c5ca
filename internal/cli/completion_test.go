package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// model is pinner's command model, as the completion scripts see it.
func model(t *testing.T) *kong.Application {
	t.Helper()
	var root CLI
	p, err := kong.New(&root, kong.Name("pinner"), kongVars)
	if err != nil {
		t.Fatal(err)
	}
	return p.Model
}

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, stderr := run(t, "", "completion", shell)
	if code != 0 || out == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, code, stderr)
	}
	return out
}

// TestCompletionScriptsNameEverything: every visible command and flag of
// the model appears in every script, and the hidden ones do not.
func TestCompletionScriptsNameEverything(t *testing.T) {
	app := model(t)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script := completionScript(t, shell)
		for _, f := range app.Node.Flags {
			if f.Hidden {
				continue
			}
			wantFlag(t, shell, script, f)
		}
		for _, n := range app.Node.Children {
			if n.Hidden {
				if strings.Contains(script, " "+n.Name+" ") && n.Name != "__complete" {
					t.Errorf("%s: hidden command %s is offered", shell, n.Name)
				}
				continue
			}
			if !strings.Contains(script, n.Name) {
				t.Errorf("%s: command %s is missing", shell, n.Name)
			}
			for _, f := range n.Flags {
				if f.Hidden {
					if strings.Contains(script, "-"+f.Name) {
						t.Errorf("%s: hidden flag --%s of %s is offered", shell, f.Name, n.Name)
					}
					continue
				}
				wantFlag(t, shell, script, f)
			}
		}
	}
}

func wantFlag(t *testing.T, shell, script string, f *kong.Flag) {
	t.Helper()
	want := "--" + f.Name
	if shell == "fish" {
		want = "-l " + f.Name
	}
	if !strings.Contains(script, want) {
		t.Errorf("%s: flag --%s is missing", shell, f.Name)
	}
	if f.Enum != "" {
		for _, v := range f.EnumSlice() {
			if !strings.Contains(script, v) {
				t.Errorf("%s: value %q of --%s is missing", shell, v, f.Name)
			}
		}
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
			path := filepath.Join(t.TempDir(), "pinner."+shell)
			if err := os.WriteFile(path, []byte(completionScript(t, shell)), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(check[0], append(check[1:], path)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", strings.Join(check, " "), path, err, out)
			}
		})
	}
}

// TestBashCompletionCompletes runs the bash function on a few command
// lines. A shell function stands in for "pinner __complete images".
func TestBashCompletionCompletes(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is not installed")
	}
	path := filepath.Join(t.TempDir(), "pinner.bash")
	if err := os.WriteFile(path, []byte(completionScript(t, "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line string // words; the last is the one completed
		want string
	}{
		{"pinner up", "update"},
		{"pinner --log-level w", "warn"},
		{"pinner --progress ", "auto plain tty none"},
		{"pinner outdated --no-", "--no-major"},
		{"pinner update --dry", "--dry-run"},
		{"pinner update back", "backup-toolbox"},
		{"pinner build ", "backup-toolbox grafana-sidecar"},
		{"pinner completion f", "fish"},
		{"pinner -q ch", "check"},
	} {
		script := `source "$1"
pinner() { [ "$1 $2" = "__complete images" ] && printf '%s\n' backup-toolbox grafana-sidecar; }
read -ra COMP_WORDS <<< "$2"
[[ "$2" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_pinner
echo "${COMPREPLY[*]}"`
		out, err := exec.Command("bash", "-c", script, "bash", path, tc.line).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("completing %q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestCompleteImages(t *testing.T) {
	root := filepath.Join(testDir, "..", "..")
	code, out, _ := run(t, root, "__complete", "images")
	if code != 0 || !strings.Contains(out, "backup-toolbox\n") {
		t.Fatalf("exit %d, output %q", code, out)
	}
	// Never an error, even with a broken configuration.
	dir := writeFiles(t, map[string]string{"registry.yaml": "version: 9\n"})
	code, out, stderr := run(t, dir, "__complete", "images")
	if code != 0 || out != "" || stderr != "" {
		t.Fatalf("broken config: exit %d, output %q, stderr %q", code, out, stderr)
	}
}
