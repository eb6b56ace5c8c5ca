{ kubenix, config, lib, homelab, ... }:

let
  app = "valoris";
  namespace = homelab.kubernetes.namespaces.applications;
  domain = "valoris.${homelab.domain}";

  # Both images are published together by the valoris CI.
  imageTag = "latest";

  backendEnv = {
    RAILS_ENV.value = "production";
    DATABASE_HOST.value = "postgresql-18.apps.svc:5432";
    REDIS_URL.value = "redis://valkey.apps.svc:6379/3";
    SECRET_KEY_BASE.valueFrom.secretKeyRef = { name = "valoris-secrets"; key = "secret-key-base"; };
  };
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
      defaultPodOptions.labels."app.kubernetes.io/name" = "valoris";

      controllers = {
        frontend.containers.main = {
          image = {
            repository = "ghcr.io/josevictorferreira/valoris-frontend";
            tag = imageTag;
            pullPolicy = "Always";
          };
          env.BACKEND_UPSTREAM = "valoris-backend:3000";
        };

        backend.containers.main = {
          image = {
            repository = "ghcr.io/josevictorferreira/valoris-backend";
            tag = imageTag;
            pullPolicy = "Always";
          };
          args = [ "bundle" "exec" "rails" "server" "-b" "0.0.0.0" ];
          env = backendEnv;
        };

        worker.containers.main = {
          image = {
            repository = "ghcr.io/josevictorferreira/valoris-backend";
            tag = imageTag;
            pullPolicy = "Always";
          };
          args = [ "bundle" "exec" "sidekiq" ];
          env = backendEnv;
        };
      };

      service = {
        frontend = { controller = "frontend"; ports.http.port = 80; };
        backend = { controller = "backend"; ports.http.port = 3000; };
      };

      ingress.main = {
        className = "nginx";
        hosts = [
          {
            host = domain;
            paths = [
              { path = "/"; service.identifier = "frontend"; }
              { path = "/api"; service.identifier = "backend"; }
            ];
          }
        ];
      };
    };
  };
}
