{ config, lib, ... }:

let
  cfg = config.services.registryMirror;
  labels = { "app.kubernetes.io/name" = "registry-mirror"; };
in
{
  options.services.registryMirror = {
    enable = lib.mkEnableOption "a pull-through registry mirror inside the cluster";

    image = lib.mkOption {
      type = lib.types.str;
      default = "docker.io/library/registry:2.8.3";
      example = "ghcr.io/distribution/distribution:3.0.0";
      description = ''
        Registry image. The upstream project also publishes
        ghcr.io/distribution/distribution:3.0.0 which speaks the same config.
      '';
    };

    gcImage = lib.mkOption {
      type = lib.types.str;
      default = "ghcr.io/regclient/regctl:v0.8.0";
      defaultText = lib.literalExpression ''"ghcr.io/regclient/regctl:v0.8.0"'';
      description = "Image of the nightly garbage-collection job.";
    };

    upstream = lib.mkOption {
      type = lib.types.str;
      default = "https://registry-1.docker.io";
      description = "Registry that is mirrored.";
    };

    listen = lib.mkOption {
      type = lib.types.str;
      default = "0.0.0.0:5000";
      description = "Address the mirror listens on.";
    };

    gcSchedule = lib.mkOption {
      type = lib.types.str;
      default = "30 3 * * *";
    };

    storageSize = lib.mkOption {
      type = lib.types.str;
      default = "40Gi";
      example = lib.literalExpression ''"200Gi"'';
    };
  };

  config = lib.mkIf cfg.enable {
    kubernetes.resources.deployments.registry-mirror = {
      metadata.labels = labels;
      spec = {
        selector.matchLabels = labels;
        template = {
          metadata.labels = labels;
          spec.containers.registry = {
            image = cfg.image;
            env = {
              REGISTRY_PROXY_REMOTEURL.value = cfg.upstream;
              REGISTRY_HTTP_ADDR.value = cfg.listen;
            };
            volumeMounts = [{ name = "cache"; mountPath = "/var/lib/registry"; }];
          };
          spec.volumes = [{ name = "cache"; persistentVolumeClaim.claimName = "registry-mirror"; }];
        };
      };
    };

    kubernetes.resources.cronJobs.registry-gc.spec = {
      schedule = cfg.gcSchedule;
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers.gc = {
          image = cfg.gcImage;
          args = [ "tag" "rm" "localhost:5000/cache/stale" ];
        };
      };
    };

    kubernetes.resources.persistentVolumeClaims.registry-mirror.spec = {
      accessModes = [ "ReadWriteOnce" ];
      resources.requests.storage = cfg.storageSize;
    };
  };
}
