{ kubenix, config, lib, homelab, ... }:

# Disabled: files prefixed with `_` are not imported by default.nix.
let
  app = "youtube-transcriber";
  namespace = homelab.kubernetes.namespaces.applications;
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://bjw-s-labs.github.io/helm-charts";
      chart = "app-template";
      version = "4.2.0";
      sha256 = "sha256-fhk6SDBHQ4lk2YVU1e1Y2tbqQGYeZkQ4Cbf0Vq9DmJo=";
    };

    values = {
      controllers.main = {
        strategy = "Recreate";
        containers.main = {
          image = {
            repository = "ghcr.io/josevictorferreira/youtube-transcriber";
            tag = "0.0.1@sha256:13510480faf6e70c5d02b2623cf4192c03f52f246d9d00415e4a1a75326c95bd";
            pullPolicy = "IfNotPresent";
          };
          env = {
            WHISPER_MODEL = "large-v3";
            OLLAMA_HOST = "ollama.apps.svc:11434";
            CACHE_DIR = "/cache";
          };
          resources = {
            requests = { cpu = "500m"; memory = "2Gi"; };
            limits.memory = "8Gi";
          };
        };
      };

      service.main = {
        controller = "main";
        ports.http.port = 8080;
      };

      persistence.cache = {
        type = "emptyDir";
        globalMounts = [ { path = "/cache"; } ];
      };
    };
  };
}
