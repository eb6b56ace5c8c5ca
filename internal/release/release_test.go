package release

import (
	"strings"
	"testing"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
	"github.com/pinner-dev/pinner/internal/rewrite"
)

func parse(t *testing.T, src string) *syntax.File {
	t.Helper()
	f, err := syntax.Parse("/repo/modules/kubenix/x.nix", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFind(t *testing.T) {
	f := parse(t, `{ kubenix, lib, pkgs, ... }: {
  kubernetes.helm.releases.cert-manager = {
    chart = kubenix.lib.helm.fetch {
      repo = "https://charts.jetstack.io";
      chart = "cert-manager";
      version = "v1.16.2";
      sha256 = "sha256-AAAA";
    };
    values.installCRDs = true;
  };
  config = lib.mkIf true {
    kubernetes.helm.releases.local.chart = ./charts/local;
  };
  kubernetes.helm.releases.dyn.chart = pkgs.fetchurl { url = "x"; };
}`)
	rs := Find(f)
	if len(rs) != 3 {
		t.Fatalf("got %d releases, want 3", len(rs))
	}
	cm := rs[0]
	if cm.Name != "cert-manager" || cm.Line != 2 || cm.Column != 28 {
		t.Errorf("release %s at %d:%d", cm.Name, cm.Line, cm.Column)
	}
	if cm.Chart != (Chart{Repo: "https://charts.jetstack.io", Name: "cert-manager", Version: "v1.16.2", SHA256: "sha256-AAAA"}) {
		t.Errorf("chart %+v", cm.Chart)
	}
	if cm.ValuesPath != "kubernetes.helm.releases.cert-manager.values" {
		t.Errorf("values path %q", cm.ValuesPath)
	}
	if rs[1].Chart.Path != "/repo/modules/kubenix/charts/local" {
		t.Errorf("local chart %+v", rs[1].Chart)
	}
	if rs[2].Chart.Reason == "" {
		t.Errorf("a fetchurl chart is known: %+v", rs[2].Chart)
	}
}

func TestSet(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		path            []string
	}{
		{
			name: "nested set of values",
			src: `{
  kubernetes.helm.releases.x = {
    chart = ./c;
    values = {
      installCRDs = true;
    };
  };
}`,
			path: []string{"webhook", "image", "tag"},
			want: `{
  kubernetes.helm.releases.x = {
    chart = ./c;
    values = {
      installCRDs = true;
      webhook.image.tag = "V";
    };
  };
}`,
		},
		{
			name: "inside an existing nested set, grouped with its kin",
			src: `{
  kubernetes.helm.releases.x = {
    values = {
      webhook = { replicas = 2; };
      other = 1;
    };
  };
}`,
			path: []string{"webhook", "image", "digest"},
			want: `{
  kubernetes.helm.releases.x = {
    values = {
      webhook = { replicas = 2; image.digest = "V"; };
      other = 1;
    };
  };
}`,
		},
		{
			name: "no values yet",
			src: `{
  kubernetes.helm.releases.x = {
    chart = ./c;
    namespace = "n";
  };
}`,
			path: []string{"image", "tag"},
			want: `{
  kubernetes.helm.releases.x = {
    chart = ./c;
    namespace = "n";
    values.image.tag = "V";
  };
}`,
		},
		{
			name: "dotted bindings outside the release",
			src: `{
  kubernetes.helm.releases.x.chart = ./c;
  kubernetes.helm.releases.x.values.a = 1;
  other = 2;
}`,
			path: []string{"controller", "image", "tag"},
			want: `{
  kubernetes.helm.releases.x.chart = ./c;
  kubernetes.helm.releases.x.values.a = 1;
  kubernetes.helm.releases.x.values.controller.image.tag = "V";
  other = 2;
}`,
		},
		{
			name: "an existing tag literal",
			src:  `{ kubernetes.helm.releases.x.values.webhook.image.tag = "v1"; }`,
			path: []string{"webhook", "image", "tag"},
			want: `{ kubernetes.helm.releases.x.values.webhook.image.tag = "V"; }`,
		},
		{
			name: "keys that are no identifiers",
			src:  `{ kubernetes.helm.releases.x = { values = {}; }; }`,
			path: []string{"my.sidecar", "image"},
			want: `{ kubernetes.helm.releases.x = { values = { "my.sidecar".image = "V"; }; }; }`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parse(t, tc.src)
			rs := Find(f)
			if len(rs) != 1 {
				t.Fatalf("%d releases", len(rs))
			}
			e, err := rs[0].Set(f, tc.path, "V")
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := rewrite.File(f.Name, f.Src, []rewrite.Edit{e})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
			if got, ok := Find(parse(t, string(out)))[0].Lookup(tc.path); !ok || got != "V" {
				t.Errorf("Lookup after Set = %q, %v", got, ok)
			}
		})
	}
}

func TestSetRefusesAClash(t *testing.T) {
	f := parse(t, `{ kubernetes.helm.releases.x.values = import ./values.nix; }`)
	_, err := Find(f)[0].Set(f, []string{"image", "tag"}, "V")
	if err == nil || !strings.Contains(err.Error(), "not an attribute set written in the module") {
		t.Errorf("err = %v", err)
	}
}
