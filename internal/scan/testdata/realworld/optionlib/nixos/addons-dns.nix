{ config, pkgs, lib, ... }:

with lib;

let
  version = "1.11.3";
  cfg = config.services.kubernetes.addons.clusterDns;

  probeImage = pkgs.dockerTools.buildLayeredImage {
    name = "dns-probe";
    contents = [ pkgs.busybox pkgs.dig ];
  };
in
{
  options.services.kubernetes.addons.clusterDns = {
    enable = mkEnableOption "the cluster DNS addon";

    coredns = mkOption {
      description = "Arguments of pullImage for the image seeded on every node.";
      type = types.attrs;
      default = {
        imageName = "registry.k8s.io/coredns/coredns";
        imageDigest = "sha256:373ea41aa77044409d48c0a3dcc1acbb0591b98826b30022da65a7589a6d3b7a";
        finalImageTag = "v${version}";
        hash = "sha256-Q2xVb0wYj3k8cN1dF5pL7tR9mS4hA6eG0uI2oK8zXwE=";
      };
    };

    pauseImage = mkOption {
      description = "Sandbox image passed to the kubelet.";
      type = types.str;
      default = "registry.k8s.io/pause:3.10";
    };

    autoscalerImage = mkOption {
      type = types.str;
      default = "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0";
    };

    replicas = mkOption {
      type = types.int;
      default = 2;
    };

    clusterDomain = mkOption {
      type = types.str;
      default = "cluster.local";
    };
  };

  config = mkIf cfg.enable {
    services.kubernetes.kubelet.seedDockerImages = [
      (pkgs.dockerTools.pullImage cfg.coredns)
      (pkgs.dockerTools.pullImage {
        imageName = "registry.k8s.io/cpa/cluster-proportional-autoscaler";
        imageDigest = "sha256:74973dcb387ad7c115c25b657354c658c2f3476608e94d01e9502d946f1a61f5";
        hash = "sha256-3bZkQ9rT1vY6wP0xN4cM8jH2gF5dS7aL1eK9uI0oB3c=";
        finalImageTag = "v1.9.0";
      })
      probeImage
    ];

    services.kubernetes.kubelet.extraOpts = "--pod-infra-container-image=${cfg.pauseImage}";

    services.kubernetes.addonManager.addons.coredns-deploy = {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = {
        name = "coredns";
        namespace = "kube-system";
        labels."k8s-app" = "kube-dns";
      };
      spec = {
        replicas = cfg.replicas;
        selector.matchLabels."k8s-app" = "kube-dns";
        template.metadata.labels."k8s-app" = "kube-dns";
        template.spec.containers = [
          {
            name = "coredns";
            image = with cfg.coredns; "${imageName}:${finalImageTag}";
            imagePullPolicy = "Never";
            args = [ "-conf" "/etc/coredns/Corefile" ];
          }
          {
            name = "probe";
            image = "${probeImage.imageName}:${probeImage.imageTag}";
            imagePullPolicy = "Never";
          }
          {
            name = "autoscaler";
            image = cfg.autoscalerImage;
            command = [
              "/cluster-proportional-autoscaler"
              "--target=deployment/coredns"
              "--default-params={\"linear\":{\"coresPerReplica\":256}}"
            ];
          }
        ];
      };
    };
  };
}
