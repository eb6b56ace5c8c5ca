{ config, lib, ... }:

let
  inherit (lib) types mkOption mkEnableOption mkIf;
  cfg = config.homelab.vault;
  kcfg = config.homelab.kube-web;
in
{
  options.homelab.vault = {
    enable = mkEnableOption "vault on k3s";
    image = mkOption {
      type = types.str;
      default = "hashicorp/vault:1.18.5";
      description = "Container image for the vault server.";
    };
    agentImage = mkOption {
      type = types.str;
      default = lib.mkDefault "docker.io/hashicorp/vault-k8s:1.6.2";
      example = "hashicorp/vault-k8s:1.5.0";
    };
    replicas = mkOption {
      type = types.int;
      default = 1;
    };
  };

  options.homelab.kube-web = {
    enable = mkEnableOption "kube-web-view";
    image = mkOption {
      type = types.str;
      default = "hjacobs/kube-web-view";
      description = "Docker image for kube-web-view (see https://codeberg.org/hjacobs/kube-web-view).";
    };
  };

  options.homelab.vms = mkOption {
    default = { };
    type = types.attrsOf (types.submodule {
      options = {
        imageName = mkOption {
          type = types.str;
          default = "debian-12-generic-amd64";
          description = "Cloud image the VM boots from.";
        };
        memory = mkOption {
          type = types.str;
          default = "2Gi";
        };
      };
    });
  };

  config = lib.mkMerge [
    (mkIf cfg.enable {
      services.k3s.manifests.vault.content = [
        {
          apiVersion = "apps/v1";
          kind = "StatefulSet";
          metadata = { name = "vault"; namespace = "auth"; };
          spec = {
            replicas = cfg.replicas;
            serviceName = "vault";
            selector.matchLabels.app = "vault";
            template.metadata.labels.app = "vault";
            template.spec.containers = [
              {
                name = "vault";
                inherit (cfg) image;
                args = [ "server" "-config=/vault/config/config.hcl" ];
                env = [ { name = "VAULT_ADDR"; value = "http://127.0.0.1:8200"; } ];
              }
              {
                name = "agent-injector";
                image = cfg.agentImage;
              }
            ];
          };
        }
      ];
    })
    (mkIf kcfg.enable {
      services.k3s.manifests.kube-web.content.spec.template.spec.containers = [
        { name = "kube-web-view"; inherit (kcfg) image; args = [ "--port=8080" ]; }
      ];
    })
  ];
}
