package chartrepo

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinner-dev/pinner/internal/config"
	"github.com/pinner-dev/pinner/internal/imageref"
	"github.com/pinner-dev/pinner/internal/policy"
	"github.com/pinner-dev/pinner/internal/testutil/helmrepo"
)

// TestRegistryVersions lists a real repository's versions (helm package
// and helm repo index) and lets a policy choose among them like image tags.
func TestRegistryVersions(t *testing.T) {
	repo := helmrepo.New(t)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0"} {
		repo.Add("web", v, "ghcr.io/acme/web:"+v)
	}
	repo.Add("other", "0.1.0", "ghcr.io/acme/other:0.1.0")
	r := &Registry{}
	c := Chart{Repo: repo.URL + "/", Name: "web"}
	r.Add(c)
	vs, err := r.Versions(context.Background(), c.ID())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Version)
		if v.Created.IsZero() || time.Since(v.Created) > time.Hour {
			t.Errorf("%s: created %v", v.Version, v.Created)
		}
		if len(v.URLs) != 1 || v.URLs[0] != repo.URL+"/web-"+v.Version+".tgz" {
			t.Errorf("%s: urls %v", v.Version, v.URLs)
		}
	}
	slices.Sort(got)
	if strings.Join(got, " ") != "1.0.0 1.1.0 1.2.0-rc.1 2.0.0" {
		t.Errorf("versions %v", got)
	}

	cfg, err := config.Parse("registry.yaml", []byte("version: 1\npolicies:\n  - match: \"127.0.0.1:*/web\"\n    update: minor\n"))
	if err != nil {
		t.Fatal(err)
	}
	key := imageref.MakeKey(c.ID(), "1.0.0")
	dec, err := policy.Decide(context.Background(), cfg, r, []imageref.Key{key}, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := dec[key]; d.To != "1.1.0" {
		t.Errorf("policy moves web 1.0.0 to %q, want 1.1.0 (held %+v)", d.To, d.Held)
	}

	// A chart the repository lacks, and a repository that is not there.
	r.Add(Chart{Repo: repo.URL, Name: "absent"})
	if _, err := r.Versions(context.Background(), Chart{Repo: repo.URL, Name: "absent"}.ID()); err == nil || !strings.Contains(err.Error(), `no chart "absent"`) {
		t.Errorf("absent chart: %v", err)
	}
	gone := Chart{Repo: "http://127.0.0.1:1/charts", Name: "web"}
	r.Add(gone)
	if _, err := r.Versions(context.Background(), gone.ID()); err == nil || !strings.Contains(err.Error(), "index.yaml") {
		t.Errorf("unreachable repository: %v", err)
	}
}

// TestParseIndexBounds: an index whose chart lists too many versions is
// refused, and relative URLs resolve against the repository.
func TestParseIndexBounds(t *testing.T) {
	base, _ := url.Parse("https://charts.example/sub/")
	ent, err := ParseIndex([]byte("entries:\n  a:\n    - version: 1.0.0\n      urls: [a-1.0.0.tgz]\n"), base)
	if err != nil || len(ent["a"]) != 1 || ent["a"][0].URLs[0] != "https://charts.example/sub/a-1.0.0.tgz" {
		t.Fatalf("%v %+v", err, ent)
	}
	var b strings.Builder
	b.WriteString("entries:\n  a:\n")
	for i := 0; i <= MaxVersions; i++ {
		b.WriteString("    - version: 1.0.0\n")
	}
	if _, err := ParseIndex([]byte(b.String()), base); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("want a bound error, got %v", err)
	}
}
