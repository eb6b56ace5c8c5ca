{ config, lib, pkgs, ... }:

let
  namespace = "databases";
  catalog = [
    { major = 15; image = "ghcr.io/cloudnative-pg/postgresql:15.12-1-bookworm"; }
    { major = 16; image = "ghcr.io/cloudnative-pg/postgresql:16.8-1-bookworm@sha256:92b655b5dc13f0784e50bb4a93478c933e02db6c7b3d7ac1d0b9b5d0a222f4b7"; }
    { major = 17; image = "ghcr.io/cloudnative-pg/postgresql:17.4-1-bookworm@sha256:305f9eefc6d112fa1bb8df12687eb03ca0040972e2088ca4aa2a6b0d7c867690"; }
  ];
in
{
  services.k3s.manifests = {
    cnpg-operator = {
      source = pkgs.fetchurl {
        url = "https://github.com/cloudnative-pg/cloudnative-pg/releases/download/v1.25.1/cnpg-1.25.1.yaml";
        hash = "sha256-j2JmSqBvyLwYzQ0ectujtVlXyG/ZBMsYCXQXNAJCB1k=";
      };
    };

    cnpg-image-catalog.content = {
      apiVersion = "postgresql.cnpg.io/v1";
      kind = "ClusterImageCatalog";
      metadata.name = "postgresql";
      spec.images = catalog;
    };

    immich-db.content = {
      apiVersion = "postgresql.cnpg.io/v1";
      kind = "Cluster";
      metadata = { name = "immich-db"; inherit namespace; };
      spec = {
        instances = 1;
        imageName = "ghcr.io/tensorchord/cloudnative-vectorchord:16.8-0.3.0";
        postgresql.shared_preload_libraries = [ "vchord.so" ];
        bootstrap.initdb.postInitApplicationSQL = [ "CREATE EXTENSION IF NOT EXISTS vchord CASCADE;" ];
        storage.size = "8Gi";
      };
    };

    paperless-db.content = [
      {
        apiVersion = "postgresql.cnpg.io/v1";
        kind = "Cluster";
        metadata = { name = "paperless-db"; inherit namespace; };
        spec = {
          instances = 2;
          imageCatalogRef = {
            apiGroup = "postgresql.cnpg.io";
            kind = "ClusterImageCatalog";
            name = "postgresql";
            major = 16;
          };
          storage.size = "4Gi";
          backup.barmanObjectStore = {
            destinationPath = "s3://cnpg-backups/paperless";
            endpointURL = "http://minio.storage.svc:9000";
          };
        };
      }
      {
        apiVersion = "postgresql.cnpg.io/v1";
        kind = "Pooler";
        metadata = { name = "paperless-pooler"; inherit namespace; };
        spec = {
          cluster.name = "paperless-db";
          type = "rw";
          pgbouncer.poolMode = "session";
          template.spec.containers = [
            { name = "pgbouncer"; image = "ghcr.io/cloudnative-pg/pgbouncer:1.24.0"; }
          ];
        };
      }
    ];

    redis.content = {
      apiVersion = "apps/v1";
      kind = "StatefulSet";
      metadata = { name = "redis"; inherit namespace; };
      spec = {
        serviceName = "redis";
        selector.matchLabels.app = "redis";
        template.metadata.labels.app = "redis";
        template.spec.containers = [
          {
            name = "redis";
            image = "valkey/valkey:8.0.2-alpine";
            args = [ "--save" "60" "1" "--appendonly" "yes" ];
          }
        ];
      };
    };
  };
}
