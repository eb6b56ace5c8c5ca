{ kubenix, config, lib, homelab, ... }:

let
  app = "immich";
  namespace = homelab.kubernetes.namespaces.applications;
  # Server and machine-learning must always run the same release.
  immichVersion = "v1.138.0";
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    chart = "oci://ghcr.io/immich-app/immich-charts/immich";
    version = "0.9.3";

    values = {
      env = {
        DB_HOSTNAME = "postgresql-18.apps.svc.cluster.local";
        DB_PORT = "5432";
        DB_DATABASE_NAME = "immich";
        REDIS_HOSTNAME = "immich-valkey";
        IMMICH_MACHINE_LEARNING_URL = "http://immich-machine-learning:3003";
      };

      immich.persistence.library.existingClaim = "cephfs-photos";

      server = {
        enabled = true;
        image = {
          repository = "ghcr.io/immich-app/immich-server";
          tag = immichVersion;
          pullPolicy = "IfNotPresent";
        };
        podLabels."app.kubernetes.io/name" = "immich";
      };

      machine-learning = {
        enabled = true;
        image = {
          repository = "ghcr.io/immich-app/immich-machine-learning";
          tag = immichVersion;
          pullPolicy = "IfNotPresent";
        };
        persistence.cache = {
          enabled = true;
          size = "10Gi";
          mountPath = "/cache";
        };
      };

      valkey = {
        enabled = true;
        image = {
          repository = "docker.io/valkey/valkey";
          tag = "8.1-alpine@sha256:facade00facade00facade00facade00facade00facade00facade00facade00";
        };
      };
    };
  };

  kubernetes.resources.ingresses.${app} = {
    metadata = {
      name = app;
      inherit namespace;
      annotations."nginx.ingress.kubernetes.io/proxy-body-size" = "0";
    };
    spec.rules = [
      {
        host = "photos.${homelab.domain}";
        http.paths = [
          {
            path = "/";
            pathType = "Prefix";
            backend.service = { name = "immich-server"; port.number = 2283; };
          }
        ];
      }
    ];
  };
}
