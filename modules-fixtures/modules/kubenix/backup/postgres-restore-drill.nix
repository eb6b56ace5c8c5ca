{ kubenix, config, lib, homelab, ... }:

let
  name = "postgres-restore-drill";
  namespace = homelab.kubernetes.namespaces.backup;

  images = {
    toolbox = "ghcr.io/josevictorferreira/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
    postgres = "ghcr.io/josevictorferreira/postgresql-vchord-bitnami:38c40fefe0c58cff6622de77f787634320e1ae5e";
  };

  inherit (images) toolbox;
in
{
  kubernetes.resources.configMaps."${name}-verify" = {
    metadata = { name = "${name}-verify"; inherit namespace; };
    # Pod template applied by the drill script once the dump is restored.
    data."verify-pod.yaml" = ''
      apiVersion: v1
      kind: Pod
      metadata:
        name: ${name}-verify
        labels:
          app.kubernetes.io/name: ${name}
      spec:
        restartPolicy: Never
        containers:
          - name: postgres
            image: ${images.postgres}
            ports:
              - containerPort: 5432
            volumeMounts:
              - name: data
                mountPath: /bitnami/postgresql
    '';
  };

  kubernetes.resources.cronJobs.${name} = {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = name;
    };
    spec = {
      schedule = "0 5 * * 0";
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "Never";
        serviceAccountName = name;
        containers = [
          {
            name = "scratch-postgres";
            image = images.postgres;
            env = [
              { name = "POSTGRESQL_PASSWORD"; value = "drill"; }
              { name = "POSTGRESQL_SHARED_PRELOAD_LIBRARIES"; value = "vchord.so"; }
            ];
            ports = [ { containerPort = 5432; } ];
            volumeMounts = [ { name = "data"; mountPath = "/bitnami/postgresql"; } ];
          }
          {
            name = "restore";
            image = toolbox;
            command = [ "/bin/bash" "/scripts/restore-latest.sh" ];
            env = [
              { name = "PGHOST"; value = "localhost:5432"; }
              { name = "RCLONE_SRC"; value = "s3:homelab-backups/postgres"; }
            ];
            volumeMounts = [ { name = "data"; mountPath = "/restore"; } ];
          }
        ];
        volumes = [ { name = "data"; emptyDir = { }; } ];
      };
    };
  };
}
