{ kubenix, config, lib, homelab, ... }:

# Disabled: the ROCm build only runs on the Ryzen PRO 5650U node.
let
  app = "ollama";
  namespace = homelab.kubernetes.namespaces.applications;
  gpuNode = "lab-pi-bk";
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://otwld.github.io/ollama-helm/";
      chart = "ollama";
      version = "1.27.0";
      sha256 = "sha256-0L9Zg6m7Hq8kQm1yLr5x3cPpF2bWnTq2tYk8jv4hX1E=";
    };

    values = {
      image = {
        repository = "ghcr.io/josevictorferreira/ollama";
        tag = "0.12.6-1-g7f551c4-dirty-rocm@sha256:68ca90ec1f47a047084a0e6ab355dd5598bcd8644417f0a6633f2c7298c7313f";
        pullPolicy = "IfNotPresent";
      };

      ollama = {
        gpu = {
          enabled = true;
          type = "amd";
        };
        models = {
          pull = [ "qwen3:8b" "nomic-embed-text:latest" "gemma3:4b-it-qat" ];
          run = [ "qwen3:8b" ];
        };
      };

      extraEnv = [
        { name = "HSA_OVERRIDE_GFX_VERSION"; value = "9.0.0"; }
        { name = "OLLAMA_HOST"; value = "0.0.0.0:11434"; }
        { name = "OLLAMA_KEEP_ALIVE"; value = "24h"; }
      ];

      nodeSelector."kubernetes.io/hostname" = gpuNode;

      persistentVolume = {
        enabled = true;
        size = "60Gi";
        storageClass = "rook-ceph-block";
      };

      volumeMounts = [ { name = "kfd"; mountPath = "/dev/kfd"; } ];
      volumes = [ { name = "kfd"; hostPath.path = "/dev/kfd"; } ];
    };
  };
}
