{ kubenix, config, lib, homelab, registry, ... }:

# `registry` is injected through _module.args by the flake so that the drill
# can be pointed at a mirror; the verify image therefore depends on it.
let
  name = "shared-subfolders-restore-drill";
  namespace = homelab.kubernetes.namespaces.backup;
  toolbox = "ghcr.io/josevictorferreira/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
  sample = "documents";
in
{
  kubernetes.resources.cronJobs.${name} = {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = name;
    };
    spec = {
      schedule = "0 6 1 * *";
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "Never";
        initContainers = [
          {
            name = "fetch";
            image = toolbox;
            command = [ "rclone" "copy" "minio:shared-subfolders/${sample}" "/restore/${sample}" ];
            envFrom = [ { secretRef.name = "shared-subfolders-s3"; } ];
            volumeMounts = [ { name = "restore"; mountPath = "/restore"; } ];
          }
        ];
        containers = [
          {
            name = "verify";
            image = "${registry}/backup-toolbox:1.0.0";
            command = [ "/bin/bash" "-c" "cd /restore && sha256sum -c /shared/${sample}/.checksums" ];
            volumeMounts = [
              { name = "restore"; mountPath = "/restore"; }
              { name = "shared"; mountPath = "/shared/${sample}"; subPath = sample; readOnly = true; }
            ];
          }
          # {
          #   name = "notify";
          #   image = "ghcr.io/josevictorferreira/backup-toolbox:1.0.0";
          # }
        ];
        volumes = [
          { name = "restore"; emptyDir.sizeLimit = "5Gi"; }
          { name = "shared"; persistentVolumeClaim.claimName = "cephfs-shared"; }
        ];
      };
    };
  };
}
