{ lib, config, homelab, ... }:

let
  namespace = "backup";
  offsite = homelab.backup.offsite or true;

  # Positional helper: name, schedule, image, command.
  mkCronJob = name: schedule: image: command: {
    metadata = { inherit name namespace; };
    spec = {
      inherit schedule;
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [ { inherit name image command; } ];
      };
    };
  };
in
{
  kubernetes.resources.cronJobs = {
    restic-photos = mkCronJob "restic-photos" "15 2 * * *"
      "ghcr.io/restic/restic:0.17.3@sha256:36b1bdf56b58cd82b511b7ebb7b7c797b8792c034f7016a40643e90741750844"
      [ "restic" "backup" "/data/photos" ];

    pg-dump = mkCronJob "pg-dump" "0 1 * * *" "postgres:16.8-alpine"
      [ "pg_dumpall" "-h" "postgres.databases.svc" "-f" "/dump/all.sql" ];

    rclone-sync = mkCronJob "rclone-sync" "0 4 * * 0" "docker.io/rclone/rclone:1.69.1"
      [ "rclone" "sync" "/dump" "b2:homelab-dumps" ];

    vault-snapshot = mkCronJob "vault-snapshot" "30 3 * * *" "hashicorp/vault:1.18.5"
      [ "vault" "operator" "raft" "snapshot" "save" "/snap/vault.snap" ];

    healthcheck = {
      metadata.namespace = namespace;
      spec.schedule = "*/15 * * * *";
      spec.jobTemplate.spec.template.spec = {
        restartPolicy = "Never";
        containers = [
          {
            name = "ping";
            image = "curlimages/curl:8.12.1";
            args = [ "-fsS" "https://hc-ping.com/3f1c9a52-7d4e-4b8a-9c61-0e2f5d7a8b90" ];
          }
        ] ++ lib.optionals offsite [
          {
            name = "offsite-ping";
            image = "docker.io/curlimages/curl:8.12.1";
            args = [ "-fsS" "https://offsite.example.net:8443/ping" ];
          }
        ];
      };
    };

    legacy-dump = {
      metadata.namespace = namespace;
      spec.schedule = "0 5 * * *";
      spec.suspend = true;
      spec.jobTemplate.spec.template.spec.containers = [
        {
          name = "dump";
          image = "registry.lan:5000/tools/pgdump:9.6"; # pinner:ignore
          command = [ "/usr/local/bin/dump.sh" ];
        }
      ];
    };
  };
}
