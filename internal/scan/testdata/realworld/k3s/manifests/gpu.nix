{ config, lib, pkgs, ... }:

let
  cfg = config.homelab.gpu;
  useNvidia = cfg.vendor == "nvidia";
in
{
  services.k3s.manifests.gpu-device-plugin = lib.mkIf cfg.enable {
    target = "gpu-device-plugin.yaml";
    content = {
      apiVersion = "apps/v1";
      kind = "DaemonSet";
      metadata = {
        name = "gpu-device-plugin";
        namespace = "kube-system";
      };
      spec = {
        selector.matchLabels.name = "gpu-device-plugin";
        updateStrategy.type = "RollingUpdate";
        template = {
          metadata.labels.name = "gpu-device-plugin";
          spec = {
            priorityClassName = "system-node-critical";
            tolerations = [ { key = "nvidia.com/gpu"; operator = "Exists"; effect = "NoSchedule"; } ];
            containers = [
              {
                name = "device-plugin";
                image =
                  if useNvidia
                  then "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
                  else "docker.io/rocm/k8s-device-plugin:1.31.0.6";
                env = [ { name = "FAIL_ON_INIT_ERROR"; value = "false"; } ];
                securityContext.privileged = true;
                volumeMounts = [ { name = "device-plugin"; mountPath = "/var/lib/kubelet/device-plugins"; } ];
              }
            ] ++ lib.optionals useNvidia [
              {
                name = "dcgm-exporter";
                image = lib.mkOverride 900 "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04";
                args = [ "--collectors=/etc/dcgm-exporter/default-counters.csv" ];
              }
            ];
            volumes = [ { name = "device-plugin"; hostPath.path = "/var/lib/kubelet/device-plugins"; } ];
          };
        };
      };
    };
  };

  services.k3s.manifests.gpu-feature-discovery = lib.mkIf (cfg.enable && useNvidia) {
    content = {
      apiVersion = "apps/v1";
      kind = "DaemonSet";
      metadata = { name = "gpu-feature-discovery"; namespace = "kube-system"; };
      spec.template.spec = {
        initContainers = [
          {
            name = "nfd-init";
            image = "registry.k8s.io/nfd/node-feature-discovery:v0.17.2";
            command = [ "nfd-worker" "--oneshot" ];
          }
        ];
        containers = [
          {
            name = "gfd";
            image = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";
            command = [ "/usr/bin/gpu-feature-discovery" ];
            args = [
              "--sleep-interval=60s"
              "--mig-strategy=none"
              "--helper-image=nvcr.io/nvidia/cuda:12.6.3-base-ubuntu22.04"
            ];
          }
        ];
      };
    };
  };

  environment.etc."nvidia-container-runtime/config.toml".text = lib.mkIf useNvidia ''
    [nvidia-container-cli]
    ldconfig = "@/run/current-system/sw/bin/ldconfig"
  '';
}
