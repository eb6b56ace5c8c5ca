{ kubenix, lib, homelab, ... }:

let
  app = "paperless";
  namespace = homelab.kubernetes.namespaces.documents;
  host = "docs.${homelab.domain}";
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://bjw-s-labs.github.io/helm-charts";
      chart = "app-template";
      version = "3.7.3";
      sha256 = "sha256-CcD4cse+T1rEAi0XVWEjWF54kDb04Jqd0kHa8zxURsU=";
    };

    values = {
      controllers.main = {
        containers.main = {
          image = {
            repository = "ghcr.io/paperless-ngx/paperless-ngx";
            tag = "2.14.7@sha256:1b9000adfb9a7103d4ea4b1f15380c567c03953eb515c5cef4288a3f59594bb9";
            pullPolicy = "IfNotPresent";
          };
          env = {
            PAPERLESS_REDIS = "redis://paperless-redis.${namespace}.svc:6379";
            PAPERLESS_TIKA_ENDPOINT = "http://localhost:9998";
            PAPERLESS_GOTENBERG_ENDPOINT = "http://localhost:3000";
            PAPERLESS_URL = "https://${host}";
            PAPERLESS_OCR_LANGUAGE = "deu+eng";
          };
        };
        containers.tika.image.repository = "docker.io/apache/tika";
        containers.tika.image.tag = "3.1.0.0-full";
        containers.gotenberg = {
          image.repository = "gotenberg/gotenberg";
          image.tag = "8.17";
          command = [ "gotenberg" "--chromium-disable-javascript=true" ];
        };
      };

      controllers.redis.containers.main.image = {
        repository = "docker.io/library/redis";
        tag = "7.4.2-alpine";
      };
      # controllers.redis.containers.main.image.tag = "7.2-alpine";

      service.main.ports.http.port = 8000;
      service.redis = {
        controller = "redis";
        ports.redis.port = 6379;
      };

      persistence.media = {
        existingClaim = "paperless-media";
        globalMounts = [ { path = "/usr/src/paperless/media"; } ];
      };
      persistence.consume = {
        type = "nfs";
        server = "nas.lan";
        path = "/volume1/scans";
        globalMounts = [ { path = "/usr/src/paperless/consume"; } ];
      };

      ingress.main = {
        className = "nginx";
        hosts = [
          {
            inherit host;
            paths = [ { path = "/"; service.identifier = "main"; } ];
          }
        ];
      };
      podLabels."app.kubernetes.io/name" = app;
    };
  };
}
