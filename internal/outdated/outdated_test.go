package outdated

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/diag"
	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/oci"
	"github.com/pinner-dev/pinner/internal/scan"
	"github.com/pinner-dev/pinner/internal/testutil/helmrepo"
	"github.com/pinner-dev/pinner/internal/testutil/registry"
)

func TestSplitArgs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.nix")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, refs, err := SplitArgs([]string{file, "busybox:1.37", dir})
	if err != nil || len(paths) != 2 || len(refs) != 1 || refs[0].Repo != "docker.io/library/busybox" || refs[0].Tag != "1.37" {
		t.Fatalf("paths %v, refs %+v, err %v", paths, refs, err)
	}
	for _, bad := range []string{"nope/x.nix", "busybox", "busybox:1.37@sha256:" + strings.Repeat("a", 64)} {
		if _, _, err := SplitArgs([]string{bad}); diag.KindOf(err) != diag.BadInput {
			t.Errorf("%s: err %v, want bad input", bad, err)
		}
	}
}

// TestFind: the newest tag in the candidate's style, with its digest; a
// repository that cannot list its tags is an error, the rest still found.
func TestFind(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	var latest string
	for _, tag := range []string{"1.0.0", "1.2.0", "2.0.0-rc.1", "latest"} {
		d := registry.PushRandom(t, host+"/x/app:"+tag, false)
		if tag == "1.2.0" {
			latest = d
		}
	}
	_, cands, err := SplitArgs([]string{host + "/x/app:1.0.0", host + "/x/missing:1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := oci.NewResolver(oci.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	out, repos, err := Find(context.Background(), config.Default(t.TempDir()), r, cands, Options{Jobs: 2})
	if err == nil || repos != 2 {
		t.Errorf("repos %d, err %v: the missing repository must be an error", repos, err)
	}
	if len(out) != 1 || out[0].Latest != "1.2.0" || out[0].Digest != latest {
		t.Errorf("entries %+v, want 1.2.0 at %s", out, latest)
	}

	// A reference whose tag is not a version under its versioning is bad
	// input, before any registry is asked.
	_, cands, _ = SplitArgs([]string{host + "/x/app:latest"})
	if _, _, err := Find(context.Background(), config.Default(t.TempDir()), r, cands, Options{}); diag.KindOf(err) != diag.BadInput {
		t.Errorf("latest: err %v, want bad input", err)
	}
}

// TestFindCharts lists a chart fetch's newer versions from a real chart
// repository, beside an image of the same module, each from its own kind
// of repository.
func TestFindCharts(t *testing.T) {
	host, _ := registry.StartInProcess(t)
	registry.PushRandom(t, host+"/x/app:1.0.0", false)
	newer := registry.PushRandom(t, host+"/x/app:1.1.0", false)
	repo := helmrepo.New(t)
	for _, v := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		repo.Add("web", v, "ghcr.io/acme/web:"+v)
	}
	src := `{ kubenix, ... }: {
  kubernetes.helm.releases.web.chart = kubenix.lib.helm.fetch {
    repo = "` + repo.URL + `";
    chart = "web";
    version = "0.1.0";
    sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };
  app.image = "` + host + `/x/app:1.0.0";
}
`
	f, err := syntax.Parse("web.nix", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "registry.yaml"), []byte("version: 1\npolicies:\n  - match: \"127.0.0.1:*/web\"\n    update: minor\n"))
	if err != nil {
		t.Fatal(err)
	}
	cands := FromSites(cfg, func(string) bool { return false }, scan.File(f))
	if len(cands) != 2 {
		t.Fatalf("candidates %+v", cands)
	}
	r, err := oci.NewResolver(oci.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := Find(context.Background(), cfg, r, cands, Options{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("entries %+v", out)
	}
	web, app := out[0], out[1]
	if !web.Chart || web.Current != "0.1.0" || web.Latest != "1.0.0" || web.Class != "major" || web.Update != "0.2.0" || web.Digest != "" || web.Line != 3 {
		t.Errorf("chart entry %+v", web)
	}
	if app.Chart || app.Latest != "1.1.0" || app.Digest != newer {
		t.Errorf("image entry %+v", app)
	}
}
