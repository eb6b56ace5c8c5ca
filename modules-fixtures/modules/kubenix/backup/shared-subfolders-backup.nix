{ kubenix, config, lib, homelab, ... }:

let
  name = "shared-subfolders-backup";
  namespace = homelab.kubernetes.namespaces.backup;
  image = "ghcr.io/josevictorferreira/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
  subfolders = [ "documents" "photos" "music" "projects" ];

  mkJob = folder: {
    name = "${name}-${folder}";
    value = {
      metadata = {
        name = "${name}-${folder}";
        inherit namespace;
        labels = {
          "app.kubernetes.io/name" = name;
          "homelab/subfolder" = folder;
        };
      };
      spec = {
        schedule = "30 2 * * *";
        concurrencyPolicy = "Forbid";
        jobTemplate.spec.template.spec = {
          restartPolicy = "OnFailure";
          containers = [
            {
              name = "rclone";
              inherit image;
              command = [ "rclone" "sync" "/shared/${folder}" "minio:shared-subfolders/${folder}" ];
              env = [
                { name = "RCLONE_CONFIG_MINIO_TYPE"; value = "s3"; }
                { name = "RCLONE_CONFIG_MINIO_ENDPOINT"; value = "http://minio.storage.svc:9000"; }
                { name = "RCLONE_REMOTE"; value = "minio:shared-subfolders"; }
              ];
              envFrom = [ { secretRef.name = "shared-subfolders-s3"; } ];
              volumeMounts = [
                {
                  name = "shared";
                  mountPath = "/shared/${folder}";
                  subPath = folder;
                  readOnly = true;
                }
              ];
            }
          ];
          volumes = [
            {
              name = "shared";
              persistentVolumeClaim.claimName = "cephfs-shared";
            }
          ];
        };
      };
    };
  };
in
{
  kubernetes.resources.cronJobs = lib.listToAttrs (map mkJob subfolders);
}
