package scan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

const (
	hexA = "08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb"
	hexB = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
)

// got is the part of a site the table tests pin down. At is the text the
// site's position points at: the site is at its first occurrence (or the
// occurrence given by Nth).
type got struct {
	At       string
	Nth      int
	Form     Form
	AttrPath string
	Ref      string
	Pinned   bool
	Editable bool
	Reason   string
}

func parse(t *testing.T, src string) *syntax.File {
	t.Helper()
	f, err := syntax.Parse("test.nix", []byte(src))
	if err != nil {
		t.Fatalf("parsing: %v\n%s", err, src)
	}
	return f
}

// offsetOf is the offset of the nth (from 0) occurrence of at in src.
func offsetOf(t *testing.T, src, at string, nth int) int {
	t.Helper()
	off := -1
	for i := 0; i <= nth; i++ {
		j := strings.Index(src[off+1:], at)
		if j < 0 {
			t.Fatalf("%q occurs fewer than %d times", at, nth+1)
		}
		off += 1 + j
	}
	return off
}

func TestFile(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []got
	}{
		{
			name: "short name string",
			src:  `{ containers = [ { name = "x"; image = "busybox:1.37"; } ]; }`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "containers.0.image", Ref: "busybox:1.37", Editable: true}},
		},
		{
			name: "digest only",
			src:  `{ image = "ghcr.io/x/backup-toolbox@sha256:` + hexA + `"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/backup-toolbox@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "tag and digest under an Image-suffixed name",
			src:  `{ initImage = "ghcr.io/x/mcpo:latest@sha256:` + hexA + `"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "initImage", Ref: "ghcr.io/x/mcpo:latest@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "bare name under image",
			src:  `{ image = "nginx"; }`,
			want: []got{{At: `"nginx`, Form: FormString, AttrPath: "image", Ref: "nginx", Editable: true}},
		},
		{
			name: "let-bound under any name, used twice: one site at the literal",
			src: `let toolbox = "ghcr.io/x/t:1.0"; in {
  a.image = toolbox;
  b.image = toolbox;
}`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "toolbox", Ref: "ghcr.io/x/t:1.0", Editable: true}},
		},
		{
			name: "let-bound short name found only through its use",
			src:  "let bb = \"busybox:1.37\"; in { containers = [ { image = bb; } ]; }",
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "bb", Ref: "busybox:1.37", Editable: true}},
		},
		{
			name: "inherit image",
			src: `let image = "ghcr.io/x/t@sha256:` + hexA + `"; in {
  containers = [ { name = "t"; inherit image; } ];
}`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/t@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "inherit from a let-bound set",
			src: `let
  images = { toolbox = "ghcr.io/x/t:1"; postgres = "ghcr.io/x/pg:2"; };
in {
  x = let inherit (images) toolbox; in { image = toolbox; };
  y.image = images.postgres;
}`,
			want: []got{
				{At: `"ghcr.io/x/t`, Form: FormString, AttrPath: "images.toolbox", Ref: "ghcr.io/x/t:1", Editable: true},
				{At: `"ghcr.io/x/pg`, Form: FormString, AttrPath: "images.postgres", Ref: "ghcr.io/x/pg:2", Editable: true},
			},
		},
		{
			name: "inherit from a set of the same let",
			src: `let
  images = { bb = "busybox:1"; };
  inherit (images) bb;
in { job.image = bb; }`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "images.bb", Ref: "busybox:1", Editable: true}},
		},
		{
			name: "inherit from a set of the same rec set",
			src:  `rec { images = { bb = "busybox:2"; }; inherit (images) bb; job.image = bb; }`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "images.bb", Ref: "busybox:2", Editable: true}},
		},
		{
			name: "interpolation of a let-bound literal",
			src: `let app = "velox-agent"; in {
  image = "ghcr.io/x/${app}:1.0";
  labels.app = app;
}`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/velox-agent:1.0", Editable: true}},
		},
		{
			name: "rec set interpolating a sibling",
			src: `let images = rec {
  registry = "ghcr.io/x";
  toolbox = "${registry}/t@sha256:` + hexA + `";
}; in { image = images.toolbox; }`,
			want: []got{{At: `"${registry}`, Form: FormString, AttrPath: "images.toolbox", Ref: "ghcr.io/x/t@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "concatenation",
			src:  `let version = "1.2"; in { image = "ghcr.io/x/y:" + version; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/y:1.2", Editable: true}},
		},
		{
			name: "concatenation with an argument",
			src:  `version: { image = "ghcr.io/x/y:" + version; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/y:${version}", Reason: "tag depends on function argument 'version'"}},
		},
		{
			name: "both branches of a conditional",
			src:  `{ cond }: { image = if cond then "a/b:1" else "c/d:2"; }`,
			want: []got{
				{At: `"a/b`, Form: FormString, AttrPath: "image", Ref: "a/b:1", Editable: true},
				{At: `"c/d`, Form: FormString, AttrPath: "image", Ref: "c/d:2", Editable: true},
			},
		},
		{
			name: "function argument",
			src:  `{ registry, ... }: { image = "${registry}/backup-toolbox:1.0.0"; }`,
			want: []got{{At: `"${`, Form: FormString, AttrPath: "image", Ref: "${registry}/backup-toolbox:1.0.0", Reason: "repository depends on function argument 'registry'"}},
		},
		{
			name: "tag from a function argument",
			src:  `version: { image = "ghcr.io/x/y:${version}"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/y:${version}", Reason: "tag depends on function argument 'version'"}},
		},
		{
			name: "name from a with",
			src:  `with import ./v.nix; { image = "ghcr.io/x/y:${tag}"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/y:${tag}", Reason: "tag is not known statically: variable 'tag' may come from a with"}},
		},
		{
			name: "a let shadows a with",
			src:  `pkgs: let tag = "1"; in with pkgs; { image = "ghcr.io/x/y:${tag}"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/x/y:1", Editable: true}},
		},
		{
			name: "someone else's image is no site",
			src:  `{ cfg, ... }: { image = cfg.image; other.image = builtins.head cfg.images; }`,
		},
		{
			name: "only separators of its own: someone else's image",
			src:  `{ cfg, ... }: { image = "${cfg.repository}:${cfg.tag}"; }`,
		},
		{
			name: "module-system wrappers",
			src: `{ lib, cond, ... }: {
  a.image = lib.mkDefault "busybox:1";
  b.image = lib.mkIf cond "busybox:2";
  c = { repository = "ghcr.io/x/y"; tag = lib.mkOverride 900 "3"; };
}`,
			want: []got{
				{At: `"busybox:1`, Form: FormString, AttrPath: "a.image", Ref: "busybox:1", Editable: true},
				{At: `"busybox:2`, Form: FormString, AttrPath: "b.image", Ref: "busybox:2", Editable: true},
				{At: `"ghcr`, Form: FormAttrSet, AttrPath: "c", Ref: "ghcr.io/x/y:3", Editable: true},
			},
		},
		{
			name: "explicit registry and tag under any name",
			src:  `{ env.TOOLBOX = "ghcr.io/x/t:1.0"; env.SHORT = "busybox:1.37"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "env.TOOLBOX", Ref: "ghcr.io/x/t:1.0", Editable: true}},
		},
		{
			name: "escapes make a string not editable",
			src:  `{ image = "busybox:1.\0"; }`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "image", Ref: "busybox:1.0", Reason: "the reference is written with escape sequences"}},
		},
		{
			name: "helm set with registry",
			src: `{ values.image = {
  registry = "ghcr.io";
  repository = "x/pg";
  tag = "38c40fe";
  pullPolicy = "IfNotPresent";
}; }`,
			want: []got{{At: `"x/pg`, Form: FormAttrSet, AttrPath: "values.image", Ref: "ghcr.io/x/pg:38c40fe", Editable: true}},
		},
		{
			name: "helm set with repo and a digest in the tag",
			src:  `{ exportarrImage = { repo = "ghcr.io/onedr0p/exportarr"; tag = "v2@sha256:` + hexB + `"; }; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "exportarrImage", Ref: "ghcr.io/onedr0p/exportarr:v2@sha256:" + hexB, Pinned: true, Editable: true}},
		},
		{
			name: "helm set with digest key and no tag",
			src:  `{ x = { repository = "snoringdragon/pm"; digest = "sha256:` + hexB + `"; }; }`,
			want: []got{{At: `"snoring`, Form: FormAttrSet, AttrPath: "x", Ref: "snoringdragon/pm@sha256:" + hexB, Pinned: true, Editable: true}},
		},
		{
			name: "helm set with inherited keys",
			src:  `let repository = "ghcr.io/x/y"; tag = "1"; in { image = { inherit repository tag; }; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "image", Ref: "ghcr.io/x/y:1", Editable: true}},
		},
		{
			name: "helm set with a repository argument",
			src:  `{ repo }: { image = { repository = "${repo}/y"; tag = "1"; }; }`,
			want: []got{{At: `"${repo}`, Form: FormAttrSet, AttrPath: "image", Ref: "${repo}/y:1", Reason: "repository depends on function argument 'repo'"}},
		},
		{
			name: "helm set with a tag argument",
			src:  `{ version }: { image = { repository = "ghcr.io/x/y"; tag = version; }; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "image", Ref: "ghcr.io/x/y:${version}", Reason: "tag depends on function argument 'version'"}},
		},
		{
			name: "chart repositories and oci charts are not images",
			src: `{
  chart = { repo = "https://charts.bitnami.com/bitnami"; chart = "postgresql"; version = "1.0"; };
  other = { repo = "https://x.github.io/charts"; tag = "1"; };
  oci = { chart = "oci://ghcr.io/immich-app/immich-charts/immich"; };
  ociImage = "oci://ghcr.io/x/y:1";
}`,
		},
		{
			name: "near misses",
			src: `{
  # image = "ghcr.io/x/commented:1.0";
  /* image = "ghcr.io/x/block:1.0"; */
  imageSelector = "ghcr.io/x/backup-toolbox:1.0";
  imagePullPolicy = "Always";
  registryImage = "registry.lan:5000";
  dbImage = "postgresql.default.svc:5432";
  mountImage = "/var/lib/image";
  labels."app.kubernetes.io/name" = "postgresql";
  env.HOST = "localhost:5432";
  env.REMOTE = "s3:homelab-backups/postgres";
  env.MODEL = "openrouter/auto";
  args = [ "--endpoints=https://127.0.0.1:2379" "qwen3:8b" "mistral:7b" "docker://ghcr.io/x/y:1" ];
  url = "http://minio.storage.svc:9000";
  sha256 = "sha256-fhk6AAAA=";
  topologyKey = "kubernetes.io/hostname";
}`,
		},
		{
			name: "pinner:ignore on the site line",
			src: `{
  a.image = "docker.io/shenxn/protonmail-bridge:3.0.21"; # pinner:ignore
  b.image = "busybox:1";
}`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "b.image", Ref: "busybox:1", Editable: true}},
		},
		{
			name: "pinner:ignore on the binding line of a set",
			src: `{
  image = { # pinner:ignore
    repository = "ghcr.io/x/y";
    tag = "1";
  };
}`,
		},
		{
			name: "pinner:ignore on the let binding of a used literal",
			src:  `let toolbox = "ghcr.io/x/t:1"; /* pinner:ignore */ in { image = toolbox; }`,
		},
		{
			name: "derived from a set",
			src: `let image = { registry = "ghcr.io"; repository = "x/pg"; tag = "1"; }; in {
  values.image = { registry = image.registry; repository = image.repository; tag = image.tag; };
  init = [ { image = "${image.registry}/${image.repository}:${image.tag}"; } ];
  labels.version = "${image.tag}";
}`,
			want: []got{
				{At: `"x/pg`, Form: FormAttrSet, AttrPath: "image", Ref: "ghcr.io/x/pg:1", Editable: true},
				{At: `"${image.registry}`, Form: FormDerived, AttrPath: "init.0.image", Ref: "ghcr.io/x/pg:1", Reason: "derived from test.nix:1:50"},
			},
		},
		{
			name: "derived in a YAML string",
			src:  "let busybox = \"busybox:1.37\"; in {\n  job.image = busybox;\n  data.\"pod.yaml\" = ''\n    containers:\n      - image: ${busybox}\n  '';\n}",
			want: []got{
				{At: `"busybox`, Form: FormString, AttrPath: "busybox", Ref: "busybox:1.37", Editable: true},
				{At: `${busybox}`, Form: FormDerived, AttrPath: `data."pod.yaml"`, Ref: "busybox:1.37", Reason: "derived from test.nix:1:15"},
			},
		},
		{
			name: "derived from a set with a digest key",
			src: `let toolbox = { repository = "ghcr.io/x/t"; digest = "sha256:` + hexA + `"; }; in {
  image = "${toolbox.repository}@${toolbox.digest}";
}`,
			want: []got{
				{At: `"ghcr`, Form: FormAttrSet, AttrPath: "toolbox", Ref: "ghcr.io/x/t@sha256:" + hexA, Pinned: true, Editable: true},
				{At: `"${toolbox`, Form: FormDerived, AttrPath: "image", Ref: "ghcr.io/x/t@sha256:" + hexA, Pinned: true, Reason: "derived from test.nix:1:30"},
			},
		},
		{
			name: "lambda default",
			src:  `{ image ? "busybox:1.37" }: { containers = [ { inherit image; } ]; }`,
			want: []got{{At: `"busybox`, Form: FormString, AttrPath: "image", Ref: "busybox:1.37", Editable: true}},
		},
		{
			name: "recursion does not hang",
			src:  `let a = b; b = a; c = rec { image = image; }; in { image = a; x = c; }`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sites := File(parse(t, tt.src))
			var gotSites []got
			for _, s := range sites {
				gotSites = append(gotSites, got{
					At:   tt.src[s.Offset:min(len(tt.src), s.Offset+len(atOf(tt.want, len(gotSites))))],
					Form: s.Form, AttrPath: s.AttrPath, Ref: s.Ref, Pinned: s.Pinned, Editable: s.Editable, Reason: s.Reason,
				})
				p := s.Position()
				if want := (syntax.Position{}); p == "" {
					t.Errorf("no position: %v", want)
				}
			}
			if diff := cmp.Diff(tt.want, gotSites); diff != "" {
				t.Errorf("sites (-want +got):\n%s\nsource:\n%s", diff, tt.src)
			}
			for i, s := range sites {
				if i >= len(tt.want) {
					break
				}
				off := offsetOf(t, tt.src, tt.want[i].At, tt.want[i].Nth)
				if s.Offset != off {
					t.Errorf("site %d at offset %d, want %d", i, s.Offset, off)
				}
				f := parse(t, tt.src)
				if p := f.Position(off); s.Line != p.Line || s.Column != p.Column {
					t.Errorf("site %d at %d:%d, want %d:%d", i, s.Line, s.Column, p.Line, p.Column)
				}
			}
		})
	}
}

func atOf(want []got, i int) string {
	if i < len(want) {
		return want[i].At
	}
	return "????????"
}
