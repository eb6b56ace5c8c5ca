{
  config,
  lib,
  ...
}:
let
  moduleName = "coredns";
  cfg = config.${moduleName};
  upstream = {
    repository = "registry.k8s.io/coredns/coredns";
    tag = "v1.12.0";
  };
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    version = lib.mkOption {
      type = lib.types.str;
      default = "1.12.0";
    };
    useUpstream = lib.mkOption {
      type = lib.types.bool;
      default = true;
    };
    debug = lib.mkEnableOption "netshoot debug container";
  };

  config = lib.mkIf cfg.enable {
    kubernetes.resources.kube-system = {
      ConfigMap.coredns.data.Corefile = ''
        .:53 {
            errors
            health {
                lameduck 5s
            }
            ready
            kubernetes cluster.local in-addr.arpa ip6.arpa {
                pods insecure
                fallthrough in-addr.arpa ip6.arpa
            }
            prometheus :9153
            forward . /etc/resolv.conf
            cache 30
        }
      '';

      Deployment.coredns.spec.template.spec = {
        priorityClassName = "system-cluster-critical";
        containers =
          [
            {
              name = "coredns";
              image =
                if cfg.useUpstream then
                  "${upstream.repository}:${upstream.tag}"
                else
                  "coredns/coredns:${cfg.version}";
              args = [ "-conf" "/etc/coredns/Corefile" ];
              ports = lib.mkNamedList {
                dns = {
                  containerPort = 53;
                  protocol = "UDP";
                };
                metrics.containerPort = 9153;
              };
            }
            {
              name = "autoscaler";
              image = "registry.k8s.io/cpa/Cluster-Proportional-Autoscaler:v1.9.0";
              args = [ "--target=deployment/coredns" "--default-params={\"linear\":{\"coresPerReplica\":256}}" ];
            }
          ]
          ++ lib.optionals cfg.debug [
            {
              name = "debug";
              image = "docker.io/nicolaka/netshoot:v0.13";
              command = [ "sleep" "infinity" ];
            }
          ];
      };

      DaemonSet.node-local-dns.spec.template.spec.containers = lib.mkNamedList {
        node-cache = {
          image = "registry.k8s.io/dns/k8s-dns-node-cache:1.25.0"; # pinner:ignore
          args = [ "-localip" "169.254.20.10" "-conf" "/etc/Corefile" ];
        };
      };
    };
  };
}
