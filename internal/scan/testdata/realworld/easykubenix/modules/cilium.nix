{
  config,
  lib,
  ...
}:
let
  moduleName = "cilium";
  cfg = config.${moduleName};
  src = builtins.fetchTree {
    type = "github";
    owner = "cilium";
    repo = "cilium";
    ref = "v${cfg.version}";
  };
in
{
  options.${moduleName} = {
    enable = lib.mkEnableOption moduleName;
    version = lib.mkOption {
      type = lib.types.str;
      default = "1.17.2";
    };
    helmValues = lib.mkOption {
      type = lib.types.anything;
      default = { };
    };
  };

  config = lib.mkIf cfg.enable {
    # CRDs live in the source tree next to the chart
    importyaml = lib.pipe (builtins.readDir "${src}/pkg/k8s/apis/cilium.io/client/crds/v2") [
      (lib.mapAttrs' (
        filename: _: {
          name = filename;
          value.src = "${src}/pkg/k8s/apis/cilium.io/client/crds/v2/${filename}";
        }
      ))
    ];

    helm.releases.${moduleName} = {
      namespace = "kube-system";
      chart = "${src}/install/kubernetes/cilium";
      values = lib.recursiveUpdate {
        k8sServiceHost = "api.${config.cluster.domain}";
        k8sServicePort = 6443;
        kubeProxyReplacement = true;
        ipam.operator.clusterPoolIPv4PodCIDRList = [ "10.42.0.0/16" ];
        gatewayAPI.enabled = true;

        # agent follows the module version; the rest is pinned separately
        image = {
          repository = "quay.io/cilium/cilium";
          tag = "v${cfg.version}";
          useDigest = false;
        };
        operator.image = {
          repository = "quay.io/cilium/operator";
          tag = "v1.17.2";
          suffix = "";
          useDigest = true;
          digest = "sha256:0fd7174dc34e7a093f1befc80e7cad0dc207f3cfcdcf14a1590a485e06ee4a71";
        };
        envoy.image = {
          repository = "quay.io/cilium/cilium-envoy";
          tag = "v1.31.5-1741765102-efed3defcc70ab5b263a0fc44c93d316b846a211";
          digest = "sha256:c93d27abf21e370b246a54836d206144157780178fc16b0773b24dd73f184aff";
        };
        hubble = {
          relay.enabled = true;
          relay.image = {
            repository = "quay.io/cilium/hubble-relay";
            tag = "v1.17.2";
          };
          ui.enabled = true;
          ui.frontend.image = {
            repository = "quay.io/cilium/hubble-ui";
            tag = "v0.13.2";
          };
          ui.backend.image = {
            repository = "quay.io/cilium/hubble-ui-backend";
            tag = "v0.13.2";
          };
        };
        certgen.image.tag = "v0.2.1";
        preflight.image.repository = "quay.io/cilium/cilium";
      } cfg.helmValues;
    };
  };
}
