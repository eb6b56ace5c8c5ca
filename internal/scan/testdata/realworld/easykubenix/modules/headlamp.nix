{
  config,
  pkgs,
  lib,
  ...
}:
let
  moduleName = "headlamp";
  cfg = config.${moduleName};
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    namespace = lib.mkOption {
      type = lib.types.str;
      default = moduleName;
    };
    version = lib.mkOption {
      type = lib.types.str;
      default = "0.29.1";
    };
    hostname = lib.mkOption { type = lib.types.str; };
    helmValues = lib.mkOption {
      type = lib.types.anything;
      default = { };
    };
  };

  config = lib.mkIf cfg.enable {
    kubernetes.resources.none.Namespace.${cfg.namespace} = { };

    helm.releases.${moduleName} = {
      namespace = cfg.namespace;

      # chart straight from the upstream source tree
      chart = "${
        builtins.fetchTree {
          type = "github";
          owner = "kubernetes-sigs";
          repo = "headlamp";
          ref = "v${cfg.version}";
        }
      }/charts/headlamp";

      values = lib.recursiveUpdate {
        image.tag = "v${cfg.version}";
        # the plugin sidecar is a separate image with its own release train
        pluginsManager.image = {
          repository = "ghcr.io/headlamp-k8s/headlamp-plugin";
          tag = "0.11.4";
        };
        env = [
          {
            name = "HEADLAMP_CONFIG_OIDC_CLIENT_ID";
            value = "headlamp";
          }
          {
            name = "HEADLAMP_CONFIG_OIDC_IDP_ISSUER_URL";
            value = "https://sso.${config.cluster.domain}/realms/master";
          }
        ];
        ingress = {
          enabled = true;
          ingressClassName = "nginx";
          annotations."cert-manager.io/cluster-issuer" = "le-prod";
          hosts = [
            {
              host = cfg.hostname;
              paths = [
                {
                  path = "/";
                  type = "Prefix";
                }
              ];
            }
          ];
        };
      } cfg.helmValues;
    };

    # metallb from its own source tree, speaker off by default
    helm.releases.metallb = {
      namespace = "metallb-system";
      chart = "${
        builtins.fetchTree {
          type = "github";
          owner = "metallb";
          repo = "metallb";
          ref = "v0.14.9";
        }
      }/charts/metallb";
      values = {
        speaker.enabled = lib.mkDefault false;
        controller.image = {
          repository = "quay.io/metallb/controller";
          tag = lib.mkDefault "v0.14.9";
        };
      };
    };

    kubernetes.apiMappings = {
      IPAddressPool = "metallb.io/v1beta1";
      L2Advertisement = "metallb.io/v1beta1";
    };
  };
}
