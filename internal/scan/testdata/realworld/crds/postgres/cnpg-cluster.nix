{ lib, ... }:

let
  objectStore = "r2-backups";
in
{
  applications.ledger-db = {
    namespace = "ledger";
    createNamespace = true;

    resources.clusters.ledger-pg = {
      metadata.annotations."cnpg.io/skipEmptyWalArchiveCheck" = "enabled";
      spec = {
        instances = 3;
        imageName = "ghcr.io/cloudnative-pg/postgresql:16.6-bookworm@sha256:823076da445a884290bbf39a6c6e7e9193c8a6cd14ef70fcac8a516913933942";
        imagePullPolicy = "IfNotPresent";
        primaryUpdateStrategy = "unsupervised";
        storage = {
          size = "20Gi";
          storageClass = "ceph-block";
        };
        walStorage.size = "5Gi";
        postgresql.parameters = {
          max_connections = "200";
          shared_buffers = "512MB";
        };
        bootstrap.initdb = {
          database = "ledger";
          owner = "ledger";
          secret.name = "ledger-app";
        };
        plugins = [{
          name = "barman-cloud.cloudnative-pg.io";
          isWALArchiver = true;
          parameters.barmanObjectName = objectStore;
        }];
        monitoring.enablePodMonitor = true;
      };
    };

    resources.clusters.geo-pg.spec = {
      instances = 2;
      imageName = "ghcr.io/cloudnative-pg/postgis:17-3.5";
      storage.size = "10Gi";
      bootstrap.recovery.source = "geo-origin";
      externalClusters = [{
        name = "geo-origin";
        connectionParameters = {
          host = "geo-legacy.db.svc";
          dbname = "geo";
        };
      }];
    };

    resources.objectStores.${objectStore}.spec.configuration = {
      destinationPath = "s3://ledger-wal/";
      endpointURL = "https://7f3c0a.r2.cloudflarestorage.com";
      s3Credentials.accessKeyId = { name = "r2-creds"; key = "ACCESS_KEY_ID"; };
      wal.compression = "zstd";
    };

    resources.poolers.ledger-pg-rw.spec = {
      cluster.name = "ledger-pg";
      instances = 2;
      type = "rw";
      pgbouncer.poolMode = "transaction";
      template.spec.containers = [{
        name = "pgbouncer";
        image = "ghcr.io/cloudnative-pg/pgbouncer:1.23.0";
        resources.requests.cpu = "50m";
      }];
    };

    resources.scheduledBackups.ledger-nightly.spec = {
      schedule = "0 0 2 * * *";
      cluster.name = "ledger-pg";
      method = "plugin";
      pluginConfiguration.name = "barman-cloud.cloudnative-pg.io";
    };

    # resources.clusters.ledger-pg.spec.imageName = "ghcr.io/cloudnative-pg/postgresql:15.8";
  };
}
