{ config, lib, kubenix, ... }:

let
  inherit (lib) mkOption mkEnableOption types mkIf;
  cfg = config.services.objectStore;
in
{
  options.services.objectStore = {
    enable = mkEnableOption "the in-cluster S3 object store";

    image = {
      repository = mkOption {
        type = types.str;
        default = "quay.io/minio/minio";
        description = "Object store image repository.";
      };
      tag = mkOption {
        type = types.str;
        default = "RELEASE.2025-04-22T22-12-26Z";
        description = "Object store image tag.";
      };
      allowMutableTag = mkOption {
        type = types.bool;
        default = false;
        description = "Allow tags such as latest.";
      };
    };

    mcImage = {
      registry = mkOption {
        type = types.str;
        default = "quay.io";
      };
      repository = mkOption {
        type = types.str;
        default = "minio/mc";
      };
      tag = mkOption {
        type = types.str;
        default = "RELEASE.2025-04-16T18-13-26Z";
      };
    };

    backup = {
      enable = mkEnableOption "restic backups of the buckets";
      repository = mkOption {
        type = types.str;
        default = "s3:https://backup.example.net/objectstore";
        description = "Restic repository the buckets are copied to.";
      };
      schedule = mkOption {
        type = types.str;
        default = "daily";
      };
    };

    buckets = mkOption {
      type = types.listOf types.str;
      default = [ "loki" "tempo" "velero" ];
    };
  };

  config = mkIf cfg.enable {
    assertions = [{
      assertion = cfg.image.allowMutableTag || cfg.image.tag != "latest";
      message = "services.objectStore.image.tag must not be latest";
    }];

    kubernetes.helm.releases.objectstore = {
      namespace = "storage";
      chart = kubenix.lib.helm.fetch {
        repo = "https://charts.min.io/";
        chart = "minio";
        version = "5.4.0";
        sha256 = "sha256-V2t6cGxS3sM1pN0mEw4o7l8Jm9wq5hX3f1cRr2bYkZo=";
      };
      values = {
        mode = "standalone";
        image = {
          repository = cfg.image.repository;
          tag = cfg.image.tag;
        };
        mcImage = { inherit (cfg.mcImage) repository tag; };
        buckets = map (b: { name = b; policy = "none"; }) cfg.buckets;
        persistence.size = "100Gi";
      };
    };
  };
}
