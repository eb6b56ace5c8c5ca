// Package helmrepo serves a real Helm chart repository on a loopback
// port for tests: charts written here, packaged and indexed by the real
// helm binary, served over HTTP.
package helmrepo

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a chart repository.
type Repo struct {
	// URL is the repository's URL, Dir where its archives and index.yaml
	// are, Helm the helm binary.
	URL, Dir, Helm string
	t              *testing.T
	work           string
}

// Helm is the helm binary: on $PATH or where `go install` puts it; the
// test is skipped without one.
func Helm(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	if h := filepath.Join(os.Getenv("HOME"), "go", "bin", "helm"); fileExists(h) {
		return h
	}
	t.Skip("helm not installed (go install helm.sh/helm/v3/cmd/helm@v3.22.0)")
	return ""
}

// New serves an empty repository until the test ends.
func New(t *testing.T) *Repo {
	t.Helper()
	r := &Repo{t: t, Helm: Helm(t), Dir: t.TempDir(), work: t.TempDir()}
	srv := httptest.NewServer(http.FileServer(http.Dir(r.Dir)))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Add packages version of chart name, whose one Deployment runs image,
// with a .helmignore, and indexes the repository again.
func (r *Repo) Add(name, version, image string) {
	r.t.Helper()
	r.run(r.work, "package", r.write(name, version, image), "-d", r.Dir)
	r.run(r.Dir, "repo", "index", ".", "--url", r.URL)
}

// Push packages the chart as Add does and pushes it to the OCI
// repository ref ("oci://127.0.0.1:5000/charts") over plain HTTP.
func (r *Repo) Push(name, version, image, ref string) {
	r.t.Helper()
	out := filepath.Join(r.work, "oci")
	r.run(r.work, "package", r.write(name, version, image), "-d", out)
	r.run(r.work, "push", filepath.Join(out, name+"-"+version+".tgz"), ref, "--plain-http")
}

// write writes the chart's files and returns its directory.
func (r *Repo) write(name, version, image string) string {
	r.t.Helper()
	dir := filepath.Join(r.work, name+"-"+version, name)
	// The tag follows the last colon after the last slash (a registry
	// may have a port).
	repo, tag := image, "latest"
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		repo, tag = image[:i], image[i+1:]
	}
	files := map[string]string{
		// helm create writes one; packaged with the chart, it makes the
		// directory helm pulls differ from its entries without dotfiles.
		".helmignore": ".git/\n*.swp\n",
		"Chart.yaml":  fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\nappVersion: %q\n", name, version, tag),
		"values.yaml": fmt.Sprintf("image:\n  repository: %s\n  tag: %q\n", repo, tag),
		"templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n" +
			"spec:\n  template:\n    spec:\n      containers:\n        - name: main\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n",
	}
	for f, text := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	return dir
}

func (r *Repo) run(dir string, args ...string) {
	r.t.Helper()
	cmd := exec.Command(r.Helm, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+r.work, "HELM_CACHE_HOME="+filepath.Join(r.work, ".cache"), "HELM_CONFIG_HOME="+filepath.Join(r.work, ".config"))
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
