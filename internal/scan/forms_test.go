package scan

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFileForms holds the scanner to what the Nix means: attribute sets
// however they are written, option declarations, the image-named keys of
// CRDs and charts, partial values, references anywhere, YAML in strings,
// and invalid references.
func TestFileForms(t *testing.T) {
	const tagOnly = "tag-only: the repository comes from the chart"
	tests := []struct {
		name string
		src  string
		want []got
	}{
		{
			name: "dotted paths make one set",
			src:  `{ values.image.repository = "ghcr.io/x/y"; values.image.tag = "1.0"; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "values.image", Ref: "ghcr.io/x/y:1.0", Editable: true}},
		},
		{
			name: "a set split over two bindings",
			src:  `{ image = { repository = "x/y"; }; image.tag = "1"; }`,
			want: []got{{At: `"x/y`, Form: FormAttrSet, AttrPath: "image", Ref: "x/y:1", Editable: true}},
		},
		{
			name: "a set split the other way round",
			src:  `{ image.tag = "1"; image = { repository = "x/y"; pullPolicy = "Always"; }; }`,
			want: []got{{At: `"x/y`, Form: FormAttrSet, AttrPath: "image", Ref: "x/y:1", Editable: true}},
		},
		{
			name: "dotted keys in a let-bound set used by selection",
			src: `let img.repository = "ghcr.io/x/y"; img.tag = "2"; in {
  values.image = { inherit (img) repository tag; };
  init.image = "${img.repository}:${img.tag}";
}`,
			want: []got{
				{At: `"ghcr`, Form: FormAttrSet, AttrPath: "img", Ref: "ghcr.io/x/y:2", Editable: true},
				{At: `"${img`, Form: FormDerived, AttrPath: "init.image", Ref: "ghcr.io/x/y:2", Reason: "derived from test.nix:1:22"},
			},
		},
		{
			name: "tag-only values are partial",
			src:  `{ controller.image.tag = "v1.2.3"; webhook.image = { tag = "v2@sha256:` + hexA + `"; }; }`,
			want: []got{
				{At: `"v1.2.3`, Form: FormPartial, AttrPath: "controller.image", Ref: ":v1.2.3", Reason: tagOnly},
				{At: `"v2@`, Form: FormPartial, AttrPath: "webhook.image", Ref: ":v2@sha256:" + hexA, Pinned: true, Reason: tagOnly},
			},
		},
		{
			name: "repository-only values are partial",
			src:  `{ redis.image = { registry = "docker.io"; repository = "bitnami/redis"; pullPolicy = "Always"; }; }`,
			want: []got{{At: `"bitnami`, Form: FormPartial, AttrPath: "redis.image", Ref: "docker.io/bitnami/redis", Reason: "repository-only: the tag comes from the chart"}},
		},
		{
			name: "not partial: a registry alone, a tag under another key, a pull policy",
			src:  `{ global.image = { registry = "quay.io"; }; controller.tag = "1"; x.image.pullPolicy = "Always"; }`,
		},
		{
			name: "an option's default, not its example or description",
			src: `{ lib, ... }: {
  options.image = lib.mkOption {
    type = lib.types.str;
    default = "nginx";
    example = "ghcr.io/x/example:1.0";
    description = lib.mdDoc "Defaults to ghcr.io/x/desc:1.0";
    defaultText = lib.literalExpression ''"ghcr.io/x/text:1.0"'';
  };
}`,
			want: []got{{At: `"nginx`, Form: FormString, AttrPath: "options.image.default", Ref: "nginx", Editable: true}},
		},
		{
			name: "a Docker Hub default of another image-named option, not a bare word",
			src: `{ mkOption, ... }: {
  options.initImage = mkOption { default = "bitnami/os-shell"; };
  options.homeImage = mkOption { default = "home.img"; };
  options.vm.imageName = mkOption { default = "debian-12-generic-amd64"; };
}`,
			want: []got{{At: `"bitnami`, Form: FormString, AttrPath: "options.initImage.default", Ref: "bitnami/os-shell", Editable: true}},
		},
		{
			name: "a submodule's option defaults make a set",
			src: `{ lib, ... }: {
  options.image = lib.mkOption {
    type = lib.types.submodule {
      options.repository = lib.mkOption { default = "quay.io/o/p"; };
      options.tag = lib.mkOption { default = "3.1"; };
    };
  };
}`,
			want: []got{{At: `"quay`, Form: FormAttrSet, AttrPath: "options.image.type.options", Ref: "quay.io/o/p:3.1", Editable: true}},
		},
		{
			name: "imageName needs a registry or a tag",
			src: `{
  cluster.spec.imageName = "ghcr.io/cloudnative-pg/postgresql:16.2";
  vm.spec.imageName = "ubuntu-22.04";
  sidecarImage = "busybox:1.36";
  baseImage = "debian";
}`,
			want: []got{
				{At: `"ghcr`, Form: FormString, AttrPath: "cluster.spec.imageName", Ref: "ghcr.io/cloudnative-pg/postgresql:16.2", Editable: true},
				{At: `"busybox`, Form: FormString, AttrPath: "sidecarImage", Ref: "busybox:1.36", Editable: true},
			},
		},
		{
			name: "unmistakable references anywhere",
			src: `{ mkJob, lib, ... }: let v = "1.0"; in {
  a = mkJob "ghcr.io/x/job:1";
  b = mkJob "busybox:1";
  c = [ "quay.io/x/list@sha256:` + hexA + `" ];
  d = lib.toList { x = "registry.k8s.io/pause:3.9"; };
  e = [ ("ghcr.io/x/" + "cat:" + v) ];
}`,
			want: []got{
				{At: `"ghcr.io/x/job`, Form: FormString, AttrPath: "a", Ref: "ghcr.io/x/job:1", Editable: true},
				{At: `"quay`, Form: FormString, AttrPath: "c.0", Ref: "quay.io/x/list@sha256:" + hexA, Pinned: true, Editable: true},
				{At: `"registry.k8s`, Form: FormString, AttrPath: "d.x", Ref: "registry.k8s.io/pause:3.9", Editable: true},
				{At: `"ghcr.io/x/" +`, Form: FormString, AttrPath: "e.0", Ref: "ghcr.io/x/cat:1.0", Editable: true},
			},
		},
		{
			name: "a list of images",
			src:  `{ pullImage }: { images = [ "nginx:1.25" "logo.png" (pullImage { imageName = "x"; }) ]; }`,
			want: []got{{At: `"nginx`, Form: FormString, AttrPath: "images.0", Ref: "nginx:1.25", Editable: true}},
		},
		{
			name: "YAML in a string",
			src:  "{ data.\"pod.yaml\" = ''\n  containers:\n    - name: x\n      image: nginx:1.25\n    - image: \"quay.io/q/r:2@sha256:" + hexA + "\"\n      image: registry.local:5000\n      image: {{ .Values.image }}\n''; }",
			want: []got{
				{At: `nginx:1.25`, Form: FormEmbedded, AttrPath: `data."pod.yaml"`, Ref: "nginx:1.25", Editable: true},
				{At: `quay.io/q`, Form: FormEmbedded, AttrPath: `data."pod.yaml"`, Ref: "quay.io/q/r:2@sha256:" + hexA, Pinned: true, Editable: true},
			},
		},
		{
			name: "a YAML block of helm image values",
			src:  "let t = \"0.9.1\"; in { v = ''\n  image:\n    registry: ghcr.io\n    repository: acme/exp\n    tag: \"${t}\"\n  other:\n    tag: x\n''; }",
			want: []got{{At: `acme/exp`, Form: FormEmbedded, AttrPath: "v", Ref: "ghcr.io/acme/exp:0.9.1", Editable: true}},
		},
		{
			name: "YAML with a tag from a let-bound literal",
			src:  "let v = \"1.2\"; in { text = ''\n  image: ghcr.io/x/y:${v}\n''; }",
			want: []got{{At: `ghcr.io/x/y:$`, Form: FormEmbedded, AttrPath: "text", Ref: "ghcr.io/x/y:1.2", Editable: true}},
		},
		{
			name: "invalid references under image keys are findings",
			src: `{
  a.image = "ghcr.io/X/y:1.0";
  b.image = "nginx:1.25 ";
  c.image = "x/y:` + strings.Repeat("t", 129) + `";
  d.background.image = "https://example.com/bg.png";
  e.image = "/srv/images/logo";
}`,
			want: []got{
				{At: `"ghcr`, Form: FormString, AttrPath: "a.image", Ref: "ghcr.io/X/y:1.0", Reason: `not a valid image reference: bad path component "X"`},
				{At: `"nginx`, Form: FormString, AttrPath: "b.image", Ref: "nginx:1.25 ", Reason: `not a valid image reference: bad tag "1.25 "`},
				{At: `"x/y`, Form: FormString, AttrPath: "c.image", Ref: "x/y:" + strings.Repeat("t", 129), Reason: `not a valid image reference: bad tag "` + strings.Repeat("t", 129) + `"`},
			},
		},
		{
			name: "a name built from a fragment of an image is no derived site",
			src: `let app = "web"; in {
  values.image = { repository = "ghcr.io/x/${app}"; tag = "1"; };
  configMaps."${app}-config".data.name = "${app}-y";
}`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "values.image", Ref: "ghcr.io/x/web:1", Editable: true}},
		},
		{
			name: "a pullImage call is one pull site, not string sites",
			src:  `{ pullImage }: { p = pullImage { imageName = "ghcr.io/x/pulled"; imageDigest = "sha256:` + hexA + `"; sha256 = "x"; finalImageTag = "1"; }; }`,
			want: []got{{At: `"ghcr`, Form: FormPull, AttrPath: "p", Ref: "ghcr.io/x/pulled:1@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "pullImage through any path, alias or with",
			src: `{ pkgs, nix2container, ... }: let
  pull = pkgs.dockerTools.pullImage;
  tag = "16.2.0";
in {
  services.k3s.images = [
    (pkgs.dockerTools.pullImage {
      imageName = "docker.io/rancher/mirrored-pause";
      imageDigest = "sha256:` + hexA + `";
      hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      finalImageName = "docker.io/rancher/mirrored-pause";
      finalImageTag = "3.6";
    })
    (with pkgs.dockerTools; pullImage { imageName = "quay.io/x/y"; imageDigest = "sha256:` + hexA + `"; sha256 = "0000000000000000000000000000000000000000000000000000"; })
  ];
  base = pull { imageName = "bitnami/postgresql"; imageDigest = "sha256:` + hexA + `"; finalImageTag = tag; sha256 = "x"; };
  n2c = nix2container.pullImage { imageName = "ghcr.io/x/n2c"; imageDigest = "sha256:` + hexA + `"; arch = "amd64"; sha256 = "x"; };
}`,
			want: []got{
				{At: `"docker.io/rancher`, Form: FormPull, AttrPath: "services.k3s.images.0", Ref: "docker.io/rancher/mirrored-pause:3.6@sha256:" + hexA, Pinned: true, Editable: true},
				{At: `"quay`, Form: FormPull, AttrPath: "services.k3s.images.1", Ref: "quay.io/x/y:latest@sha256:" + hexA, Pinned: true, Editable: true},
				{At: `"bitnami`, Form: FormPull, AttrPath: "base", Ref: "bitnami/postgresql:16.2.0@sha256:" + hexA, Pinned: true, Editable: true},
				{At: `"ghcr`, Form: FormPull, AttrPath: "n2c", Ref: "ghcr.io/x/n2c:latest@sha256:" + hexA, Pinned: true, Reason: ReasonNix2container},
			},
		},
		{
			name: "a pulled base under fromImage",
			src:  "{ dockerTools, ... }: dockerTools.buildImage {\n  name = \"app\";\n  fromImage = dockerTools.pullImage {\n    imageName = \"alpine\";\n    imageDigest = \"sha256:" + hexA + "\";\n    sha256 = \"x\";\n    finalImageTag = \"3.19\";\n  };\n}",
			want: []got{{At: `"alpine`, Form: FormPull, AttrPath: "fromImage", Ref: "alpine:3.19@sha256:" + hexA, Pinned: true, Editable: true}},
		},
		{
			name: "mkMerge, mkIf, optionalAttrs, recursiveUpdate and // hide nothing",
			src: `{ lib, c, base, ... }: {
  a = lib.mkMerge [ { image = "alpine:3.19"; } (lib.mkIf c { sidecarImage = "quay.io/s/c:1"; }) ];
  b = lib.optionalAttrs c { image = { repository = "r/o"; tag = "1"; }; };
  d = lib.recursiveUpdate base { image.tag = "2.0"; };
  e = base // { initImage = "docker.io/library/busybox:1"; };
  f = lib.optionals c [ { image = "bb:1"; } ];
}`,
			want: []got{
				{At: `"alpine`, Form: FormString, AttrPath: "a.0.image", Ref: "alpine:3.19", Editable: true},
				{At: `"quay`, Form: FormString, AttrPath: "a.1.sidecarImage", Ref: "quay.io/s/c:1", Editable: true},
				{At: `"r/o`, Form: FormAttrSet, AttrPath: "b.image", Ref: "r/o:1", Editable: true},
				{At: `"2.0`, Form: FormPartial, AttrPath: "d.image", Ref: ":2.0", Reason: tagOnly},
				{At: `"docker`, Form: FormString, AttrPath: "e.initImage", Ref: "docker.io/library/busybox:1", Editable: true},
				{At: `"bb`, Form: FormString, AttrPath: "f.0.image", Ref: "bb:1", Editable: true},
			},
		},
		{
			name: "selection through merged sets",
			src: `{ lib, ... }: let
  base = { image = { repository = "ghcr.io/x/y"; tag = "1"; }; };
  merged = lib.recursiveUpdate base { image.pullPolicy = "Always"; };
in { c.image = "${merged.image.repository}:${merged.image.tag}"; }`,
			want: []got{
				{At: `"ghcr`, Form: FormAttrSet, AttrPath: "base.image", Ref: "ghcr.io/x/y:1", Editable: true},
				{At: `"${merged`, Form: FormDerived, AttrPath: "c.image", Ref: "ghcr.io/x/y:1", Reason: "derived from test.nix:2:35"},
			},
		},
		// What an audit of public repositories found the scanner missed
		// or got wrong.
		{
			name: "a fallback after or is the file's image",
			src: `{ f = cfg: {
  image = cfg.image or "haproxy:2.9";
  values.image = { repository = cfg.repo or "ghcr.io/acme/proxy"; tag = cfg.tag or "1.4"; };
}; }`,
			want: []got{
				{At: `"haproxy`, Form: FormString, AttrPath: "f.image", Ref: "haproxy:2.9", Editable: true},
				{At: `"ghcr`, Form: FormAttrSet, AttrPath: "f.values.image", Ref: "ghcr.io/acme/proxy:1.4", Editable: true},
			},
		},
		{
			name: "function argument defaults are no images unless image-named",
			src: `{ v = { size ? "10Gi", mode ? "Block" }: 1; c = { addr ? "cache:6379", model ? "llama3:8b" }: 1;
  w = { image ? "nginx:1.25" }: image; }`,
			want: []got{{At: `"nginx`, Form: FormString, AttrPath: "image", Ref: "nginx:1.25", Editable: true}},
		},
		{
			name: "an image flag names the next argument, or its value",
			src: `{ command = [ "mgr" "--engine-image" "acme/engine:1.0" "--log" "debug" ];
  args = [ "--solver-image=quay.io/acme/solver:1.0" "--x=y" ]; }`,
			want: []got{
				{At: `"acme/engine`, Form: FormString, AttrPath: "command.2", Ref: "acme/engine:1.0", Editable: true},
				{At: `quay.io/acme/solver`, Form: FormEmbedded, AttrPath: "args.0", Ref: "quay.io/acme/solver:1.0", Editable: true},
			},
		},
		{
			name: "an environment variable naming an image",
			src: `{ env = [ { name = "WORKER_IMAGE"; value = "acme/worker:2.3"; } { name = "MODE"; value = "acme/x:1"; } ];
  other.OPERATOR_IMAGE_NAME = "quay.io/acme/op:1"; }`,
			want: []got{
				{At: `"acme/worker`, Form: FormString, AttrPath: "env.0.value", Ref: "acme/worker:2.3", Editable: true},
				{At: `"quay`, Form: FormString, AttrPath: "other.OPERATOR_IMAGE_NAME", Ref: "quay.io/acme/op:1", Editable: true},
			},
		},
		{
			name: "a set of images",
			src:  `{ images = rec { registry = "ghcr.io/acme"; web = "acme/web:1.2.0"; db = "${registry}/db:3.1"; }; }`,
			want: []got{
				{At: `"acme/web`, Form: FormString, AttrPath: "images.web", Ref: "acme/web:1.2.0", Editable: true},
				{At: `"${registry}`, Form: FormString, AttrPath: "images.db", Ref: "ghcr.io/acme/db:3.1", Editable: true},
			},
		},
		{
			name: "a repository-only set may hold other keys; a null tag is none",
			src: `{ values.image = { repository = "quay.io/acme/proxy"; tag = ""; command = [ ]; };
  other.image = { repository = "quay.io/acme/other"; tag = null; }; }`,
			want: []got{
				{At: `"quay.io/acme/proxy`, Form: FormPartial, AttrPath: "values.image", Ref: "quay.io/acme/proxy", Reason: "repository-only: the tag comes from the chart"},
				{At: `"quay.io/acme/other`, Form: FormPartial, AttrPath: "other.image", Ref: "quay.io/acme/other", Reason: "repository-only: the tag comes from the chart"},
			},
		},
		{
			name: "node taints, disks and local images are no images",
			src: `{ services.k3s.nodeTaint = [ "node.example.io/not-ready:NoExecute" ];
  volumes = [ { image = "state.img"; } ];
  c = { image = "my-local-app:latest"; imagePullPolicy = "Never"; }; }`,
		},
		{
			name: "a dynamic name from a let-bound literal is static",
			src:  `{ config, ... }: let m = "x"; cfg = config.${m}; in { image = "ghcr.io/acme/x:${cfg.version}"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/acme/x:${cfg.version}", Reason: "tag depends on function argument 'config'"}},
		},
		{
			name: "a digest of zeros is a placeholder, not a pin",
			src:  `{ values.image = { repository = "ghcr.io/a/b"; tag = "latest"; digest = "sha256:` + strings.Repeat("0", 64) + `"; }; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "values.image", Ref: "ghcr.io/a/b:latest@sha256:" + strings.Repeat("0", 64), Editable: true}},
		},
		{
			name: "a string built from an image-named word that is no image is a site",
			src:  `let appImage = "tool"; in { image = "ghcr.io/acme/${appImage}:1.0"; }`,
			want: []got{{At: `"ghcr`, Form: FormString, AttrPath: "image", Ref: "ghcr.io/acme/tool:1.0", Editable: true}},
		},
		{
			name: "flattened image keys: a whole image, never a registry alone",
			src: `{ values.app = { imageRepository = "ghcr.io/acme/app"; imageTag = "2.0"; };
  kubeadm.etcd.local = { imageRepository = "registry.k8s.io"; imageTag = "3.5.17-0"; }; }`,
			want: []got{{At: `"ghcr`, Form: FormAttrSet, AttrPath: "values.app", Ref: "ghcr.io/acme/app:2.0", Editable: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSites(t, tt.src, tt.want)
		})
	}
}

// TestDoublingIsBounded: a module whose let bindings each double a string
// must not take the scanner's memory; what it cannot evaluate is reported
// as too complex.
func TestDoublingIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("let\n  a0 = \"ab\";\n")
	for i := 1; i <= 40; i++ {
		b.WriteString("  a" + itoa(i) + " = \"${a" + itoa(i-1) + "}${a" + itoa(i-1) + "}\";\n")
	}
	b.WriteString("in { image = \"ghcr.io/x/${a40}:1\"; }\n")
	sites := File(parse(t, b.String()))
	if len(sites) != 1 {
		t.Fatalf("sites: %+v", sites)
	}
	if s := sites[0]; s.Editable || !strings.Contains(s.Reason, "too complex to evaluate statically") || len(s.Ref) > 1<<20 {
		t.Errorf("site: editable %v, reason %q, ref of %d bytes", s.Editable, s.Reason, len(s.Ref))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// checkSites compares the sites of src with want, and each site's
// position with the first occurrence of its At text.
func checkSites(t *testing.T, src string, want []got) {
	t.Helper()
	sites := File(parse(t, src))
	var gotSites []got
	for _, s := range sites {
		gotSites = append(gotSites, got{
			At:   src[s.Offset:min(len(src), s.Offset+len(atOf(want, len(gotSites))))],
			Form: s.Form, AttrPath: s.AttrPath, Ref: s.Ref, Pinned: s.Pinned, Editable: s.Editable, Reason: s.Reason,
		})
	}
	if diff := cmp.Diff(want, gotSites); diff != "" {
		t.Errorf("sites (-want +got):\n%s\nsource:\n%s", diff, src)
	}
	for i, s := range sites {
		if i >= len(want) {
			break
		}
		if off := offsetOf(t, src, want[i].At, want[i].Nth); s.Offset != off {
			t.Errorf("site %d at offset %d, want %d", i, s.Offset, off)
		}
	}
}
