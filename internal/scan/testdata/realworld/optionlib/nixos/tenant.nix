{ config, lib, ... }:

let
  cfg = config.acme.tenant;

  # Sparse rendering: the tag is omitted when null so the chart default wins.
  helmValues = {
    image = {
      registry = cfg.image.registry;
    } // lib.optionalAttrs (cfg.image.tag != null) {
      tag = cfg.image.tag;
    };
    migrations.enabled = cfg.migrations.enable;
    ingress.hostname = cfg.hostname;
  };
in
{
  options.acme.tenant = {
    hostname = lib.mkOption {
      type = lib.types.str;
      example = "tenant-a.example.net";
    };

    image = {
      registry = lib.mkOption {
        type = lib.types.str;
        default = "ghcr.io/acme-sec";
        description = "Registry prefix; override for air-gapped mirrors.";
      };

      tag = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "0.4.0";
        description = ''
          Image tag override. When null the chart's own tag is used, which
          currently renders ghcr.io/acme-sec/tenant-api:0.4.0.
        '';
      };
    };

    migrations = {
      enable = lib.mkEnableOption "the schema migration job";

      image = lib.mkOption {
        type = lib.types.str;
        default = "ghcr.io/acme-sec/tenant-migrate:0.4.0";
        defaultText = lib.literalExpression ''"''${config.acme.tenant.image.registry}/tenant-migrate:0.4.0"'';
        example = lib.literalExpression ''"registry.example.net/acme/tenant-migrate:0.4.0"'';
      };
    };

    extraManifests = lib.mkOption {
      type = lib.types.lines;
      description = "Extra YAML documents applied with the release.";
      default = ''
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: tenant-smoke
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: smoke
                  image: ghcr.io/acme-sec/tenant-smoke:0.4.0
                  args: ["--target", "http://tenant-api:8080/healthz"]
      '';
    };
  };

  config = {
    kubernetes.helm.releases.tenant = {
      namespace = "tenant";
      values = helmValues // {
        migrations.image = cfg.migrations.image;
      };
    };
  };
}
