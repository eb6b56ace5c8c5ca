{
  config,
  lib,
  ...
}:
let
  moduleName = "external-dns";
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
      default = "0.16.1";
    };
  };

  config = lib.mkIf cfg.enable {
    importyaml.${moduleName} = {
      src = "https://raw.githubusercontent.com/kubernetes-sigs/external-dns/v${cfg.version}/config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml";
    };

    kubernetes.resources.none = {
      Namespace.${cfg.namespace} = { };
      ClusterRole.external-dns.rules = [
        {
          apiGroups = [ "" ];
          resources = [ "services" "endpoints" "pods" "nodes" ];
          verbs = [ "get" "watch" "list" ];
        }
        {
          apiGroups = [ "externaldns.k8s.io" ];
          resources = [ "dnsendpoints" ];
          verbs = [ "get" "watch" "list" ];
        }
      ];
    };

    kubernetes.resources.${cfg.namespace} = {
      ServiceAccount.external-dns = { };
      Secret.cloudflare.stringData.token = "{{ cloudflare_token }}";
      Deployment.external-dns.spec = {
        strategy.type = "Recreate";
        selector.matchLabels.app = "external-dns";
        template = {
          metadata.labels.app = "external-dns";
          spec = {
            serviceAccountName = "external-dns";
            containers = lib.mkNamedList {
              external-dns = {
                image = "registry.k8s.io/external-dns/external-dns:v${cfg.version}";
                args = [
                  "--source=service"
                  "--source=crd"
                  "--provider=cloudflare"
                  "--txt-owner-id=quillhaven"
                  "--domain-filter=${config.cluster.domain}"
                ];
                env = lib.mkNamedList {
                  CF_API_TOKEN.valueFrom.secretKeyRef = {
                    name = "cloudflare";
                    key = "token";
                  };
                };
              };
              # pinned sidecar that answers the liveness probe
              healthz = {
                image = "registry.k8s.io/sig-storage/livenessprobe:v2.15.0@sha256:dec8e5d3c56ee37cbe599c82c2d132001268d61ce2e05fd6be9a3f595531122c";
                args = [ "--http-endpoint=:9808" ];
              };
            };
          };
        };
      };
    };
  };
}
