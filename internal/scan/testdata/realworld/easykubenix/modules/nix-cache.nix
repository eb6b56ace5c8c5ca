{
  config,
  pkgs,
  lib,
  ...
}:
let
  moduleName = "nix-cache";
  cfg = config.${moduleName};
  inherit (config.cluster) scratchImage;
  managed."app.kubernetes.io/managed-by" = "easykubenix";

  nixVolume = {
    hostPath.path = "/nix";
    type = "Directory";
  };
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    namespace = lib.mkOption {
      type = lib.types.str;
      default = "nix-cache";
    };
    image = lib.mkOption {
      type = lib.types.str;
      default =
        let
          pyproject = builtins.fromTOML (builtins.readFile ../pyproject.toml);
          version = pyproject.project.version;
          image = "quay.io/quillhaven/nix-cache:${version}";
        in
        image;
    };
  };

  config = lib.mkIf cfg.enable {
    kubernetes.objects.${cfg.namespace} = {
      StatefulSet.redis = {
        metadata.labels = managed // { app = "redis"; };
        spec = {
          serviceName = "redis";
          selector.matchLabels.app = "redis";
          template = {
            metadata.labels = managed // { app = "redis"; };
            spec.containers = {
              _namedlist = true;
              redis = {
                image = scratchImage;
                command = [ "${pkgs.redis}/bin/redis-server" ];
                args = [ "--port" "6379" "--bind" "0.0.0.0" "--save" "60" "1000" ];
                volumeMounts = {
                  _namedlist = true;
                  nix.mountPath = "/nix/store";
                  data.mountPath = "/data";
                };
              };
            };
            spec.volumes = {
              _namedlist = true;
              nix = nixVolume;
            };
          };
        };
      };

      DaemonSet.harmonia.spec = {
        selector.matchLabels.app = "harmonia";
        template = {
          metadata.labels = managed // { app = "harmonia"; };
          spec = {
            hostNetwork = true;
            containers = {
              _namedlist = true;
              harmonia = {
                image = cfg.image;
                command = [ "dinit" ];
                env = [
                  {
                    name = "CONFIG_FILE";
                    value = "/etc/harmonia/config.toml";
                  }
                  {
                    name = "HARMONIA_BIND";
                    value = "[::]:5000";
                  }
                ];
              };
              # upstream lix build, version taken from the package set
              lix-gc = {
                image = "ghcr.io/quillhaven/lix:${pkgs.lixPackageSets.lix_2_92.lix.version}";
                command = [ "nix-collect-garbage" "--delete-older-than" "14d" ];
              };
            };
            volumes = {
              _namedlist = true;
              nix = nixVolume;
            };
          };
        };
      };

      Job.cache-warmup.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [
          {
            name = "warmup";
            image = "quay.io/nix-csi/scratch:1.0.1"; # binaries come from the store mount, not the image
            command = [ "${pkgs.nix}/bin/nix" "copy" "--to" "http://harmonia.nix-cache.svc:5000" "${pkgs.hello}" ];
          }
        ];
      };
    };
  };
}
