{ config, lib, ... }:

with lib;

let
  cfg = config.applications.ciRunners;

  mkRunnerSet = setName: set: {
    apiVersion = "actions.summerwind.dev/v1alpha1";
    kind = "RunnerDeployment";
    metadata = {
      name = setName;
      namespace = cfg.namespace;
    };
    spec = {
      replicas = set.desiredRunners;
      template.spec = {
        repository = set.repository;
        labels = set.labels;
        dockerdWithinRunnerContainer = false;
        container.image =
          set.image or {
            repository = "ghcr.io/actions/actions-runner";
            tag = "2.321.0";
            pullPolicy = "IfNotPresent";
          };
        sidecarContainers = [{
          name = "dind";
          image = "docker.io/library/docker:27.3.1-dind";
          securityContext.privileged = true;
        }];
        initContainers = [{
          name = "warm-cache";
          image = "ghcr.io/example-ci/cache-warmer:${cfg.cacheWarmerVersion}";
          args = [ "--target" "/cache" ];
        }];
      };
    };
  };
in
{
  options.applications.ciRunners = {
    enable = mkEnableOption "self-hosted CI runners";

    namespace = mkOption {
      type = types.str;
      default = "ci-runners";
    };

    cacheWarmerVersion = mkOption {
      type = types.str;
      default = "0.9.2";
      description = "Version of the cache warmer init container.";
    };

    scaleSets = mkOption {
      default = { };
      type = types.attrsOf (types.submodule {
        options = {
          repository = mkOption {
            type = types.str;
            description = "Repository the runners register with (owner/name).";
            example = "example-org/platform";
          };

          labels = mkOption {
            type = types.listOf types.str;
            default = [ "self-hosted" "linux" "x64" ];
          };

          desiredRunners = mkOption {
            type = types.int;
            default = 1;
          };

          image = mkOption {
            type = types.nullOr (types.submodule {
              options = {
                repository = mkOption {
                  type = types.str;
                  default = "ghcr.io/actions/actions-runner";
                  description = "Runner image repository";
                };
                tag = mkOption {
                  type = types.str;
                  default = "2.321.0";
                  description = "Runner image tag";
                };
                pullPolicy = mkOption {
                  type = types.enum [ "Always" "IfNotPresent" "Never" ];
                  default = "IfNotPresent";
                };
              };
            });
            default = null;
            description = "Custom runner image; null keeps the controller default.";
          };
        };
      });
    };
  };

  config = mkIf cfg.enable {
    applications.ciRunners.objects =
      mapAttrsToList mkRunnerSet cfg.scaleSets;
  };
}
