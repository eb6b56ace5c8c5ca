{ kubenix, config, lib, homelab, ... }:

let
  name = "postgres-backup";
  namespace = homelab.kubernetes.namespaces.backup;
  schedule = "15 3 * * *";
  pgHost = "postgresql-18.apps.svc.cluster.local:5432";
  bucket = "s3:homelab-backups/postgres";
in
{
  kubernetes.resources.cronJobs.${name} = {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = name;
      labels."app.kubernetes.io/part-of" = "backup";
    };
    spec = {
      inherit schedule;
      concurrencyPolicy = "Forbid";
      successfulJobsHistoryLimit = 3;
      failedJobsHistoryLimit = 3;
      jobTemplate.spec = {
        backoffLimit = 1;
        template.spec = {
          restartPolicy = "OnFailure";
          initContainers = [
            {
              name = "wait-for-db";
              image = "busybox:1.37";
              command = [ "sh" "-c" "until nc -z ${pgHost}; do sleep 2; done" ];
            }
          ];
          containers = [
            {
              name = "backup";
              # image = "ghcr.io/josevictorferreira/backup-toolbox:1.0.0";
              image = "ghcr.io/josevictorferreira/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
              imagePullPolicy = "IfNotPresent";
              command = [ "/bin/bash" "/scripts/pg-dump-all.sh" ];
              env = [
                { name = "PGHOST_PORT"; value = pgHost; }
                { name = "RCLONE_DEST"; value = bucket; }
                { name = "ZSTD_LEVEL"; value = "19"; }
                {
                  name = "PGPASSWORD";
                  valueFrom.secretKeyRef = {
                    name = "postgresql-18-auth";
                    key = "postgres-password";
                  };
                }
              ];
              volumeMounts = [
                { name = "scripts"; mountPath = "/scripts"; readOnly = true; }
                { name = "scratch"; mountPath = "/var/lib/postgresql:rw"; }
              ];
              resources = {
                requests = { cpu = "100m"; memory = "256Mi"; };
                limits.memory = "1Gi";
              };
            }
          ];
          volumes = [
            { name = "scripts"; configMap.name = "${name}-scripts"; }
            { name = "scratch"; emptyDir.sizeLimit = "20Gi"; }
          ];
        };
      };
    };
  };
}
