{ config, lib, ... }:
with lib;
let
  cfg = config.services.ledgerly;
  dbSecret = "ledgerly-db";
in
{
  options.services.ledgerly = {
    enable = mkEnableOption "Ledgerly bookkeeping app";

    image = mkOption {
      description = mdDoc "The container image, for instance ghcr.io/quillhaven/ledgerly:v2.0.0";
      type = types.str;
      default = "ghcr.io/quillhaven/ledgerly:latest";
      example = "ghcr.io/quillhaven/ledgerly:v2.2.0";
    };

    migrateImage = mkOption {
      description = "Image of the schema migration job";
      type = types.str;
      default = "docker.io/migrate/migrate:v4.18.1";
    };

    hostAffinity = mkOption {
      type = types.str;
      default = "node-a1";
    };

    database.host = mkOption {
      type = types.str;
      default = "postgres-rw.databases.svc:5432";
    };

    ingress.domain = mkOption {
      type = types.str;
      default = "ledger.quillhaven.net";
    };
  };

  config = mkIf cfg.enable {
    applications.ledgerly = {
      namespace = "finance";
      createNamespace = true;

      resources = {
        deployments.ledgerly.spec = {
          replicas = 1;
          selector.matchLabels.app = "ledgerly";
          template = {
            metadata.labels.app = "ledgerly";
            spec = {
              nodeSelector."kubernetes.io/hostname" = cfg.hostAffinity;
              initContainers = [
                {
                  name = "wait-for-db";
                  image = "busybox:1.36";
                  command = [
                    "sh"
                    "-c"
                    "until nc -z ${cfg.database.host}; do sleep 2; done"
                  ];
                }
              ];
              containers = [
                {
                  name = "ledgerly";
                  image = cfg.image;
                  imagePullPolicy = "IfNotPresent";
                  env = [
                    {
                      name = "DATABASE_HOST";
                      value = cfg.database.host;
                    }
                    {
                      name = "LISTEN_ADDR";
                      value = "0.0.0.0:8080";
                    }
                    {
                      name = "TZ";
                      value = "Europe/Oslo";
                    }
                  ];
                  envFrom = [ { secretRef.name = dbSecret; } ];
                  ports = [
                    {
                      name = "http";
                      containerPort = 8080;
                    }
                  ];
                  volumeMounts = [
                    {
                      name = "data";
                      mountPath = "/var/lib/ledgerly";
                    }
                  ];
                }
              ];
              volumes = [
                {
                  name = "data";
                  persistentVolumeClaim.claimName = "ledgerly-data";
                }
              ];
            };
          };
        };

        jobs.ledgerly-migrate.spec.template.spec = {
          restartPolicy = "OnFailure";
          containers = [
            {
              name = "migrate";
              image = cfg.migrateImage;
              args = [
                "-path=/migrations"
                "-database"
                "postgres://ledgerly@${cfg.database.host}/ledgerly?sslmode=disable"
                "up"
              ];
            }
          ];
        };

        services.ledgerly.spec = {
          selector.app = "ledgerly";
          ports = [
            {
              port = 80;
              targetPort = "http";
            }
          ];
        };
      };
    };
  };
}
