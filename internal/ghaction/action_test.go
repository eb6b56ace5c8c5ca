// Package ghaction holds the tests of the repository's GitHub Action
// (action.yml) and of the example workflow (docs/ci/pinner-update.yml).
package ghaction

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/pinner-dev/pinner/internal/changelog"
)

var root = filepath.Join("..", "..")

type action struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID               string            `yaml:"id"`
			Uses             string            `yaml:"uses"`
			Run              string            `yaml:"run"`
			Shell            string            `yaml:"shell"`
			WorkingDirectory string            `yaml:"working-directory"`
			Env              map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) action {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	return a
}

func TestActionShape(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"args", "pr-body", "working-directory", "github-token"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %q missing", in)
		}
	}
	for _, out := range []string{"changed", "pr-body", "pushed"} {
		if o, ok := a.Outputs[out]; !ok || !strings.Contains(o.Value, "steps.update.outputs."+out) {
			t.Errorf("output %q missing or not from the update step: %+v", out, o)
		}
	}
	var setupGo, build bool
	for _, s := range a.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			setupGo = true
		}
		if strings.Contains(s.Run, "go build") && strings.Contains(s.Run, "./cmd/pinner") && s.WorkingDirectory == "${{ github.action_path }}" {
			build = true
		}
		// Inputs go through env; an input spliced into a script is an
		// injection hole.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q puts an expression into its script", s.ID)
		}
	}
	if !setupGo || !build {
		t.Errorf("want actions/setup-go, then go build ./cmd/pinner in the action's directory (setup-go %v, build %v)", setupGo, build)
	}
}

// TestActionUpdateStep runs the update step's script with a fake pinner
// and checks the outputs it gives for each exit code.
func TestActionUpdateStep(t *testing.T) {
	a := readAction(t)
	var script string
	for _, s := range a.Runs.Steps {
		if s.ID == "update" {
			script = s.Run
			if s.Env["GITHUB_TOKEN"] != "${{ inputs.github-token }}" {
				t.Errorf("GITHUB_TOKEN = %q, want the github-token input", s.Env["GITHUB_TOKEN"])
			}
		}
	}
	if script == "" {
		t.Fatal("no step with id update")
	}
	for _, tc := range []struct {
		code    string
		fails   bool
		changed string
	}{
		{"0", false, "false"},
		{"1", false, "true"},
		{"3", true, ""},
	} {
		tmp := t.TempDir()
		work := t.TempDir()
		fake := `#!/bin/sh
printf '%s\n' "$@" > "$RUNNER_TEMP/args"
while [ $# -gt 0 ]; do [ "$1" = --pr-body ] && echo body > "$2"; shift; done
echo '[{"name":"app","repository":"ghcr.io/x/app","digest":"sha256:1"}]'
exit $FAKE_CODE
`
		if err := os.WriteFile(filepath.Join(tmp, "pinner"), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(tmp, "github_output")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+tmp, "GITHUB_OUTPUT="+out, "FAKE_CODE="+tc.code,
			"PINNER_ARGS=--all  --no-build", "PINNER_PR_BODY=body.md", "GITHUB_TOKEN=secret-token")
		b, err := cmd.CombinedOutput()
		if (err != nil) != tc.fails {
			t.Fatalf("exit %s: err %v\n%s", tc.code, err, b)
		}
		if strings.Contains(string(b), "secret-token") {
			t.Errorf("the token was printed: %s", b)
		}
		if tc.fails {
			continue
		}
		got, _ := os.ReadFile(out)
		want := "changed=" + tc.changed + "\npr-body=" + filepath.Join(work, "body.md") + "\n" +
			"pushed<<PINNER_PUSHED_JSON\n" + `[{"name":"app","repository":"ghcr.io/x/app","digest":"sha256:1"}]` + "\nPINNER_PUSHED_JSON\n"
		if string(got) != want {
			t.Errorf("exit %s: outputs %q, want %q", tc.code, got, want)
		}
		args, _ := os.ReadFile(filepath.Join(tmp, "args"))
		if wantArgs := "update\n--all\n--no-build\n--pr-body\n" + filepath.Join(work, "body.md") + "\n--exit-code\n--json\n"; string(args) != wantArgs {
			t.Errorf("pinner got %q, want %q", args, wantArgs)
		}
	}
}

func TestExampleWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "docs", "ci", "pinner-update.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Schedule         []struct{ Cron string } `yaml:"schedule"`
			WorkflowDispatch any                     `yaml:"workflow_dispatch"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				ID   string            `yaml:"id"`
				If   string            `yaml:"if"`
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("parsing the workflow: %v", err)
	}
	if len(wf.On.Schedule) == 0 || !strings.Contains(string(b), "workflow_dispatch") {
		t.Error("want a schedule and workflow_dispatch")
	}
	var usesAction, opensPR bool
	for _, s := range wf.Jobs["update"].Steps {
		if strings.HasPrefix(s.Uses, "pinner-dev/pinner@") && s.ID == "pinner" {
			usesAction = true
		}
		if strings.HasPrefix(s.Uses, "peter-evans/create-pull-request@") &&
			s.If == "steps.pinner.outputs.changed == 'true'" && s.With["body-path"] == "${{ steps.pinner.outputs.pr-body }}" {
			opensPR = true
		}
	}
	if !usesAction || !opensPR {
		t.Errorf("want the action, then a pull request with its body when files changed (action %v, pull request %v)", usesAction, opensPR)
	}
}

// TestExampleWorkflowClassifies runs the workflow's "Largest step" script
// on PR bodies pinner writes: it finds the largest class present, which
// labels the pull request and decides auto-merge.
func TestExampleWorkflowClassifies(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "ci", "pinner-update.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				ID  string `yaml:"id"`
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	script := ""
	for _, s := range wf.Jobs["update"].Steps {
		if s.ID == "class" {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatal("no step with id class")
	}
	entry := func(class string) changelog.Entry {
		return changelog.Entry{Repository: "ghcr.io/x/" + class, Old: changelog.Version{Tag: "1.0.0"},
			New: changelog.Version{Tag: "2.0.0", Digest: "sha256:" + strings.Repeat("a", 64)}, Files: []string{"a.nix"}, Class: class}
	}
	for _, tc := range []struct {
		classes []string
		want    string
	}{
		{[]string{"digest"}, "digest"},
		{[]string{"digest", "patch"}, "patch"},
		{[]string{"patch", "minor", "digest"}, "minor"},
		{[]string{"digest", "major", "patch"}, "major"},
	} {
		var es []changelog.Entry
		for _, c := range tc.classes {
			es = append(es, entry(c))
		}
		dir := t.TempDir()
		body, out := filepath.Join(dir, "body.md"), filepath.Join(dir, "out")
		if err := os.WriteFile(body, []byte(changelog.PRBody(es)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, "-e", "-c", script)
		cmd.Env = append(os.Environ(), "BODY="+body, "GITHUB_OUTPUT="+out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", tc.classes, err, msg)
		}
		if got, _ := os.ReadFile(out); string(got) != "largest="+tc.want+"\n" {
			t.Errorf("%v: %q, want largest=%s", tc.classes, got, tc.want)
		}
	}
}

// TestPreCommitHooks: the hooks pre-commit offers run pinner check
// --staged when .nix files are staged; it finds them itself, so no names
// are passed.
func TestPreCommitHooks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		Files         string `yaml:"files"`
		PassFilenames bool   `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatalf("parsing .pre-commit-hooks.yaml: %v", err)
	}
	ids := map[string]string{}
	for _, h := range hooks {
		ids[h.ID] = h.Language
		if h.Entry != "pinner check --staged" || h.Files != `\.nix$` || h.PassFilenames {
			t.Errorf("hook %s: entry %q, files %q, pass_filenames %v", h.ID, h.Entry, h.Files, h.PassFilenames)
		}
	}
	if ids["pinner-check"] != "golang" || ids["pinner-check-system"] != "system" {
		t.Errorf("hooks %v, want pinner-check (golang) and pinner-check-system (system)", ids)
	}
}

type workflow struct {
	Jobs map[string]struct {
		RunsOn   string            `yaml:"runs-on"`
		Needs    any               `yaml:"needs"`
		Outputs  map[string]string `yaml:"outputs"`
		Strategy struct {
			Matrix map[string]any `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "ci", name))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	return wf
}

// The example signs and attests each pushed image by its digest, from
// the action's pushed output.
func TestExampleWorkflowSigns(t *testing.T) {
	wf := readWorkflow(t, "pinner-update.yml")
	if wf.Jobs["update"].Outputs["pushed"] != "${{ steps.pinner.outputs.pushed }}" {
		t.Errorf("update job does not expose pushed: %v", wf.Jobs["update"].Outputs)
	}
	sign := wf.Jobs["sign"]
	if sign.Strategy.Matrix["image"] != "${{ fromJSON(needs.update.outputs.pushed) }}" {
		t.Errorf("sign matrix: %v", sign.Strategy.Matrix)
	}
	var cosign, attest bool
	for _, s := range sign.Steps {
		cosign = cosign || strings.Contains(s.Run, "cosign sign")
		attest = attest || strings.HasPrefix(s.Uses, "actions/attest-build-provenance@") && s.With["subject-digest"] == "${{ matrix.image.digest }}"
	}
	if !cosign || !attest {
		t.Errorf("want cosign sign and attest-build-provenance by digest (cosign %v, attest %v)", cosign, attest)
	}
}

// The native-runner example builds each platform on its own runner with
// pinner build --push --json, then assembles with --from-builds.
func TestMatrixWorkflow(t *testing.T) {
	wf := readWorkflow(t, "pinner-build-matrix.yml")
	build := wf.Jobs["build"]
	include, _ := build.Strategy.Matrix["include"].([]any)
	platforms := map[string]bool{}
	for _, e := range include {
		m, _ := e.(map[string]any)
		platforms[fmt.Sprint(m["platform"])] = true
	}
	if !platforms["linux/amd64"] || !platforms["linux/arm64"] || build.RunsOn != "${{ matrix.runner }}" {
		t.Errorf("build matrix: %v on %q", include, build.RunsOn)
	}
	var builds bool
	for _, s := range build.Steps {
		builds = builds || strings.Contains(s.Run, "pinner\" build") && strings.Contains(s.Run, "--push --json")
	}
	var assembles bool
	for _, s := range wf.Jobs["update"].Steps {
		if s.ID == "builds" && strings.Contains(s.Run, "--no-build --from-builds") {
			assembles = true
		}
	}
	if !builds || !assembles {
		t.Errorf("want pinner build --push --json per runner, then update --from-builds (build %v, assemble %v)", builds, assembles)
	}
}
