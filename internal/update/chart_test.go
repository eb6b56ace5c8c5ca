package update

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pinner-dev/pinner/internal/check"
	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/rendered"
	"github.com/pinner-dev/pinner/internal/testutil/registry"

	"github.com/google/go-containerregistry/pkg/name"
)

// The fixture charts, each in a layout real charts use. Their templates
// render an image the way such charts do.
var charts = map[string]map[string]string{
	// image.{repository,tag,digest} and an `image: repo:tag` string of a
	// sub-component; a local directory.
	"alpha": {
		"Chart.yaml": "apiVersion: v2\nname: alpha\nversion: 0.1.0\nappVersion: \"1.0\"\n",
		"values.yaml": `image:
  repository: quay.io/acme/alpha
  tag: "1.0"
  pullPolicy: IfNotPresent
sidecar:
  enabled: true
  image: ghcr.io/acme/sidecar:2.0
`,
		"templates/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  template:
    spec:
      containers:
        - name: main
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        {{- if .Values.sidecar.enabled }}
        - name: sidecar
          image: {{ .Values.sidecar.image | quote }}
        {{- end }}
`,
	},
	// global.imageRegistry, registry + repository with the tag from
	// appVersion, and nested components; packaged as a .tgz.
	"beta": {
		"Chart.yaml": "apiVersion: v2\nname: beta\nversion: 0.2.0\nappVersion: \"3.1\"\n",
		"values.yaml": `global:
  imageRegistry: ""
controller:
  image:
    registry: docker.io
    repository: acme/controller
    tag: ""
webhook:
  image:
    registry: quay.io
    repository: acme/webhook
    tag: v3
`,
		"templates/deploy.yaml": `{{- define "beta.image" -}}
{{ .global.imageRegistry | default .image.registry }}/{{ .image.repository }}:{{ .image.tag | default .appVersion }}
{{- end -}}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  template:
    spec:
      initContainers:
        - name: webhook
          image: {{ include "beta.image" (dict "global" .Values.global "image" .Values.webhook.image "appVersion" .Chart.AppVersion) }}
      containers:
        - name: controller
          image: {{ include "beta.image" (dict "global" .Values.global "image" .Values.controller.image "appVersion" .Chart.AppVersion) }}
`,
	},
	// Bitnami's registry/repository/tag/digest, fetched from a chart
	// repository by kubenix.lib.helm.fetch.
	"gamma": {
		"Chart.yaml": "apiVersion: v2\nname: gamma\nversion: 0.3.0\nappVersion: \"5.0\"\ndescription: \"run %s\"\n",
		"values.yaml": `image:
  registry: quay.io
  repository: acme/gamma
  tag: "5.0"
  digest: ""
`,
		"templates/job.yaml": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: {{ .Values.image.registry }}/{{ .Values.image.repository }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag }}{{ end }}
`,
	},
}

const chartModule = `{ kubenix, ... }:
{
  kubernetes.helm.releases.alpha = {
    chart = ../../charts/alpha;
    namespace = "alpha";
  };

  kubernetes.helm.releases.beta = {
    chart = ../../charts/beta-0.2.0.tgz;
    values = {
      webhook.image.tag = "v4";
    };
  };

  kubernetes.helm.releases.gamma.chart = kubenix.lib.helm.fetch {
    repo = "%[1]s";
    chart = "gamma";
    version = "0.3.0";
    sha256 = "%[2]s";
  };
  kubernetes.helm.releases.gamma.values.replicas = 1;

  kubernetes.helm.releases.missing.chart = kubenix.lib.helm.fetch {
    repo = "%[1]s";
    chart = "gamma";
    version = "9.9.9";
    sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };
}
`

func command(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// TestChartDefaults renders fixture charts with real Helm, pins what
// their values set by default through pinner update (one chart fetched
// through Nix from a chart repository on a loopback port), renders again,
// and finds every image pinned to the registry's digest.
func TestChartDefaults(t *testing.T) {
	helm, err := exec.LookPath("helm")
	if err != nil {
		if h := filepath.Join(os.Getenv("HOME"), "go", "bin", "helm"); fileExists(h) {
			helm = h
		} else {
			t.Skip("helm not installed (go install helm.sh/helm/v3/cmd/helm@v3.22.0)")
		}
	}
	for _, tool := range []string{"nix", "nix-instantiate"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	t.Setenv("NIX_CONFIG", "substituters =")
	t.Setenv("PATH", filepath.Dir(helm)+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("SOURCE_DATE_EPOCH", "1795651200")

	r := &repo{dir: t.TempDir(), digests: map[string]string{}}
	host, _ := registry.StartInProcess(t)
	r.mirrors = map[string]string{"ghcr.io": "http://" + host + "/ghcr.io", "quay.io": "http://" + host + "/quay.io", "docker.io": "http://" + host + "/hub"}
	for _, ref := range []string{"quay.io/acme/alpha:1.0", "ghcr.io/acme/sidecar:2.0", "docker.io/acme/controller:3.1", "quay.io/acme/webhook:v4"} {
		r.push(t, ref, "1")
	}
	// One multi-platform image: the index's digest is what gets pinned.
	gamma := pushIndex(t, r, "quay.io/acme/gamma:5.0")

	// The charts: alpha a directory, beta packaged, gamma in a chart
	// repository served over HTTP; its description is new every run, so
	// its hash is too and Nix really fetches it.
	work := t.TempDir()
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	for name, files := range charts {
		for f, text := range files {
			if name == "gamma" && f == "Chart.yaml" {
				text = fmt.Sprintf(text, hex.EncodeToString(nonce))
			}
			writeTestFile(t, filepath.Join(work, name, f), text)
		}
	}
	if err := os.CopyFS(filepath.Join(r.dir, "charts", "alpha"), os.DirFS(filepath.Join(work, "alpha"))); err != nil {
		t.Fatal(err)
	}
	command(t, work, helm, "package", "beta", "-d", filepath.Join(r.dir, "charts"))
	repoDir := filepath.Join(work, "repo")
	command(t, work, helm, "package", "gamma", "-d", repoDir)
	var tgzGets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, ".tgz") {
			tgzGets.Add(1)
		}
		http.FileServer(http.Dir(repoDir)).ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	command(t, repoDir, helm, "repo", "index", ".", "--url", srv.URL)
	// The sha256 a user writes: the hash of the chart as helm pulls it.
	pulled := filepath.Join(work, "pulled")
	command(t, work, helm, "pull", "--repo", srv.URL, "gamma", "--version", "0.3.0", "--untar", "--untardir", pulled)
	tgzGets.Store(0)
	sha := strings.TrimSpace(command(t, work, "nix", "--extra-experimental-features", "nix-command", "hash", "path", "--type", "sha256", "--sri", filepath.Join(pulled, "gamma")))

	writeTestFile(t, filepath.Join(r.dir, "modules", "kubenix", "charts.nix"), fmt.Sprintf(chartModule, srv.URL, sha))
	writeTestFile(t, filepath.Join(r.dir, "registry.yaml"), fmt.Sprintf("version: 1\nmodules: [\"modules/kubenix/**/*.nix\"]\nmirrors:\n  ghcr.io: %s\n  quay.io: %s\n  docker.io: %s\n",
		r.mirrors["ghcr.io"], r.mirrors["quay.io"], r.mirrors["docker.io"]))
	t.Chdir(r.dir)
	cfg, err := config.Load("registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	charts := map[string]string{"alpha": "charts/alpha", "beta": "charts/beta-0.2.0.tgz", "gamma": filepath.Join(pulled, "gamma")}

	// Before: every image is a chart default (or a tag of one) and a
	// finding of check --rendered that says so.
	render(t, helm, r.dir, charts)
	fs, errs, err := check.Rendered(context.Background(), cfg, "rendered")
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	if len(fs) != 5 {
		t.Fatalf("%d findings before the update, want 5: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, "chart default of helm release ") || !strings.Contains(f.Message, "declared at modules/kubenix/charts.nix:") {
			t.Errorf("finding %s:%d: %s", f.File, f.Line, f.Message)
		}
	}

	prBody := filepath.Join(t.TempDir(), "pr.md")
	res, err := Run(context.Background(), cfg, Options{All: true, Registry: quick(), PRBody: prBody})
	if err != nil {
		t.Fatal(err)
	}
	if tgzGets.Load() == 0 {
		t.Error("the chart was never fetched from the chart repository")
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "helm release missing: chart gamma 9.9.9 from "+srv.URL+" is not available") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if len(res.Plan.Changes) != 5 {
		t.Errorf("%d changes, want 5: %+v", len(res.Plan.Changes), res.Plan.Changes)
	}
	mod, _ := os.ReadFile("modules/kubenix/charts.nix")
	for _, want := range []string{
		"    namespace = \"alpha\";\n    values.image.tag = \"1.0@" + r.digests["quay.io/acme/alpha:1.0"] + "\";\n    values.sidecar.image = \"ghcr.io/acme/sidecar:2.0@" + r.digests["ghcr.io/acme/sidecar:2.0"] + "\";\n  };",
		"      webhook.image.tag = \"v4@" + r.digests["quay.io/acme/webhook:v4"] + "\";\n      controller.image.tag = \"3.1@" + r.digests["docker.io/acme/controller:3.1"] + "\";\n    };",
		"  kubernetes.helm.releases.gamma.values.replicas = 1;\n  kubernetes.helm.releases.gamma.values.image.digest = \"" + gamma + "\";\n",
	} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("the module lacks\n%s\nit reads\n%s", want, mod)
		}
	}
	changes, _ := os.ReadFile("CHANGELOG.md")
	body, _ := os.ReadFile(prBody)
	for _, text := range []string{string(changes), string(body)} {
		if !strings.Contains(text, "chart default values.image of helm release gamma (chart gamma 0.3.0)") ||
			!strings.Contains(text, "values.webhook.image of helm release beta (chart beta 0.2.0)") {
			t.Errorf("the changelog does not name the releases and charts:\n%s", text)
		}
	}

	// After: a new render pins every image to the registry's digest.
	render(t, helm, r.dir, charts)
	imgs, errs, err := rendered.Read(context.Background(), "rendered")
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	want := map[string]string{"quay.io/acme/gamma": gamma}
	for ref, d := range r.digests {
		want[strings.SplitN(ref, ":", 2)[0]] = d
	}
	if len(imgs) != 5 {
		t.Errorf("%d images rendered, want 5", len(imgs))
	}
	for _, im := range imgs {
		if d := want[im.Image.Context()]; im.Image.Digest != d {
			t.Errorf("%s:%d renders %s, want digest %s", im.File, im.Line, im.Ref, d)
		}
	}
	if fs, errs, err := check.Rendered(context.Background(), cfg, "rendered"); err != nil || len(errs)+len(fs) > 0 {
		t.Errorf("check --rendered after the update: %v %v %+v", err, errs, fs)
	}

	// A second run changes nothing.
	res, err = Run(context.Background(), cfg, Options{All: true, Registry: quick()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 {
		t.Errorf("the second run warns %q", res.Warnings)
	}
	if len(res.Outputs) != 0 || len(res.Plan.Changes) != 0 {
		t.Errorf("the second run changes %d files: %+v\n%s", len(res.Outputs), res.Plan.Changes, res.Diff(r.dir))
	}
}

// render writes `helm template` of every release, with the values the
// module gives it (evaluated by Nix, helm.fetch standing in as a
// function that returns its arguments), to rendered/NAME.yaml.
func render(t *testing.T, helm, dir string, charts map[string]string) {
	t.Helper()
	for name, chart := range charts {
		expr := fmt.Sprintf(`(import ./modules/kubenix/charts.nix { kubenix.lib.helm.fetch = a: a; }).kubernetes.helm.releases.%s.values or {}`, name)
		values := command(t, dir, "nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
		vf := filepath.Join(t.TempDir(), "values.json")
		writeTestFile(t, vf, values)
		out := command(t, dir, helm, "template", name, chart, "-f", vf)
		writeTestFile(t, filepath.Join(dir, "rendered", name+".yaml"), out)
	}
}

// pushIndex stores a two-platform index for ref and returns its digest.
func pushIndex(t *testing.T, r *repo, ref string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	target, err := oci.MirrorRef(tag, r.mirrors, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := name.ParseReference(target.Name())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(dst, idx); err != nil {
		t.Fatal(err)
	}
	h, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	r.digests[ref] = h.String()
	return h.String()
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
