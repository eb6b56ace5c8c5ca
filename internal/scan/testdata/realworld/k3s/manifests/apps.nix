{ config, lib, pkgs, ... }:

let
  ns = "apps";

  images = rec {
    registry = "ghcr.io/home-ops";
    ncps = "docker.io/kalbasit/ncps:v0.2.1";
    backup = "${registry}/restic-runner:0.9.0";
  };
  inherit (images) ncps;

  forgejo = {
    repository = "codeberg.org/forgejo/forgejo";
    tag = "10.0.1-rootless";
  };
in
{
  services.k3s.manifests = {
    ncps.content = {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { name = "ncps"; namespace = ns; };
      spec = {
        selector.matchLabels.app = "ncps";
        template.metadata.labels.app = "ncps";
        template.spec = {
          initContainers = [
            { name = "init-dirs"; image = "busybox:latest"; command = [ "mkdir" "-p" "/storage/var/ncps/db" ]; }
            { name = "migrate"; image = ncps; command = [ "/bin/dbmate" "--url=sqlite:/storage/var/ncps/db/db.sqlite" "up" ]; }
          ];
          containers = [
            {
              name = "ncps";
              image = ncps;
              args = [
                "serve"
                "--cache-hostname=cache.home.arpa"
                "--upstream-cache=https://cache.nixos.org"
                "--upstream-public-key=cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
              ];
            }
          ];
        };
      };
    };

    forgejo.content = [
      {
        apiVersion = "apps/v1";
        kind = "StatefulSet";
        metadata = { name = "forgejo"; namespace = ns; };
        spec = {
          serviceName = "forgejo";
          selector.matchLabels.app = "forgejo";
          template.metadata.labels.app = "forgejo";
          template.spec.containers = [
            {
              name = "forgejo";
              image = "${forgejo.repository}:${forgejo.tag}";
              ports = [ { containerPort = 3000; } { containerPort = 2222; } ];
            }
            {
              name = "backup";
              image = images.backup;
              env = [ { name = "RESTIC_REPOSITORY"; value = "s3:http://minio.storage.svc:9000/forgejo"; } ];
            }
          ];
        };
      }
    ];

    static-site.content = {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { name = "static-site"; namespace = ns; };
      spec.template.spec.containers = [
        { name = "nginx"; image = "docker.io/" + "library/nginx:1.27.4-alpine"; }
        { name = "exporter"; image = lib.mkForce "docker.io/nginx/nginx-prometheus-exporter:1.4.1"; }
      ];
    };

    # Not published yet: the names below are what the CI will push.
    ai-tools.content = {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { name = "ai-tools"; namespace = ns; };
      spec.template.spec.containers = [
        { name = "paperless-ai"; image = "ghcr.io/home-ops/Paperless-AI:2.1.0"; }
        { name = "n8n"; image = "docker.io/n8nio/n8n:1.82.1 "; }
        { name = "legacy"; image = "registry.home.arpa:5000/legacy/portal:2019.4"; } # pinner:ignore
      ];
    };

    # kube-fledged: keep these images cached on every node.
    image-cache.content = {
      apiVersion = "kubefledged.io/v1alpha2";
      kind = "ImageCache";
      metadata = { name = "warm-images"; namespace = "kube-fledged"; };
      spec.cacheSpec = [
        {
          images = [
            "ghcr.io/home-ops/restic-runner:0.9.0"
            "docker.io/library/postgres:16.8-bookworm@sha256:978063ac594784ddfa8c9139c61af40179b41c3205ec8f9a7dde6ee0b611c048"
            "redis:7.4.2"
          ];
        }
      ];
    };
  };
}
