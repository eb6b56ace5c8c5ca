{ lib, config, ... }:
with lib;
let
  cfg = config.ci.runners;

  defaultRunnerImage = {
    repository = "ghcr.io/actions/actions-runner";
    tag = "2.322.0";
  };
in
{
  options.ci.runners = {
    enable = mkEnableOption "self-hosted CI runners";
    version = mkOption {
      type = types.str;
      default = "0.10.1";
    };
    cacheVersion = mkOption {
      type = types.str;
      default = "v6.1.0";
    };
    scaleSets = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options = {
            repository = mkOption {
              type = types.str;
              description = "GitHub repository (owner/name) the runners register with";
              example = "quillhaven/ledgerly";
            };
            maxRunners = mkOption {
              type = types.int;
              default = 3;
            };
            dind = mkOption {
              type = types.nullOr types.attrs;
              default = null;
            };
            image = mkOption {
              description = "Override the runner image";
              default = null;
              type = types.nullOr (
                types.submodule {
                  options = {
                    repository = mkOption {
                      type = types.str;
                      default = "ghcr.io/actions/actions-runner";
                    };
                    tag = mkOption {
                      type = types.str;
                      default = "2.321.0";
                    };
                  };
                }
              );
            };
          };
        }
      );
    };
  };

  config = mkIf cfg.enable {
    applications.arc-runners = {
      namespace = "arc-runners";
      createNamespace = true;

      helm.releases = mapAttrs (name: scaleSet: {
        chart = lib.helm.downloadHelmChart {
          repo = "oci://ghcr.io/actions/actions-runner-controller-charts";
          chart = "gha-runner-scale-set";
          version = cfg.version;
          chartHash = "sha256-+WqXBQ9p4Zx2MQ1gk/LgF/5zhz1vcwQlFbZIiwuqP20=";
        };
        values = {
          githubConfigUrl = "https://github.com/${scaleSet.repository}";
          inherit (scaleSet) maxRunners;
          template.spec = {
            containers = [
              {
                name = "runner";
                image = "${defaultRunnerImage.repository}:${defaultRunnerImage.tag}";
                command = [ "/home/runner/run.sh" ];
              }
            ];
            dockerdImage = scaleSet.dind or {
              repository = "docker";
              tag = "27.5.1-dind";
            };
          };
        };
      }) cfg.scaleSets;

      resources.deployments.runner-cache.spec.template.spec.containers.cache = {
        image = "ghcr.io/falcondev-oss/github-actions-cache-server:${cfg.cacheVersion}";
        args = [
          "--storage"
          "filesystem"
          "--default-image"
          "ghcr.io/actions/actions-runner:${cfg.version}"
        ];
        env = [
          {
            name = "API_BASE_URL";
            value = "http://runner-cache.arc-runners.svc:3000";
          }
        ];
      };

      resources.proxyClasses.runner-egress.spec.statefulSet.pod.tailscaleContainer = {
        image = "ghcr.io/tailscale/tailscale:v1.80.3";
        env = [
          {
            name = "TS_DEBUG_FIREWALL_MODE";
            value = "nftables";
          }
        ];
      };
    };

    applications.registry-mirror.helm.releases.registry-mirror = {
      chart = {
        name = "docker-registry";
        repository = "https://helm.twun.io";
        version = "2.2.3";
      };
      values.proxy = {
        enabled = true;
        remoteurl = "https://registry-1.docker.io";
      };
    };
  };
}
