{ ... }:
{
  flake.nixidyApps.photos =
    { config, lib, self, ... }:
    with lib;
    self.lib.mkArgoApp { inherit config lib; } rec {
      name = "photos";
      uses-ingress = true;
      uses-database = true;

      # https://github.com/immich-app/immich-charts
      chart = lib.helm.downloadHelmChart {
        repo = "oci://ghcr.io/immich-app/immich-charts";
        chart = "immich";
        version = "0.9.3";
        chartHash = "sha256-h7tY2mQ9c1kV8pL0aN3sR5wE6xZ4bD2fG9jK1oU7iT0=";
      };

      extraOptions = {
        image.tag = mkOption {
          description = mdDoc "Tag of the server image; the repository comes from the chart";
          type = types.str;
          default = "v1.119.1";
        };

        imageVersion = mkOption {
          description = mdDoc "Version of the face-detection sidecar";
          type = types.str;
          default = "v2.4.0";
        };

        database.image = mkOption {
          description = mdDoc "Postgres image with the vector extension";
          type = types.str;
          default = "docker.io/tensorchord/pgvecto-rs:pg16-v0.3.0";
        };

        redis = {
          image = {
            registry = mkOption {
              type = types.str;
              default = "docker.io";
            };
            repository = mkOption {
              type = types.str;
              default = "valkey/valkey";
            };
            tag = mkOption {
              type = types.str;
              default = "8.0.1-alpine@sha256:96c666239fa1bd6489d84491805aea2cf548f765087985e0d69e0a093e9b00a5";
            };
          };
        };
      };

      defaultValues = cfg: {
        image.tag = cfg.image.tag;
        immich.persistence.library.existingClaim = "${name}-library";
        redis = {
          enabled = true;
          image = { inherit (cfg.redis.image) registry repository tag; };
        };
        machine-learning.persistence.cache.type = "pvc";
        server.ingress.main.enabled = false;
      };

      extraResources = cfg: {
        statefulSets."${name}-db".spec.template.spec.containers = [{
          name = "postgres";
          image = cfg.database.image;
          env = [{ name = "POSTGRES_DB"; value = "immich"; }];
        }];

        deployments."${name}-faces".spec.template.spec.containers = [{
          name = "faces";
          image = "ghcr.io/example-media/face-sidecar:${cfg.imageVersion}";
          args = [ "--server" "http://${name}-server:2283" ];
        }];
      };
    };
}
