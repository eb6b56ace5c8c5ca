{ kubenix, config, lib, homelab, ... }:

let
  name = "shared-subfolders-proton-sync";
  namespace = homelab.kubernetes.namespaces.backup;

  toolbox = {
    repository = "ghcr.io/josevictorferreira/backup-toolbox";
    digest = "sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
  };
  bridgePort = "127.0.0.1:1143";
in
{
  kubernetes.resources.cronJobs.${name} = {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = "proton-sync";
    };
    spec = {
      schedule = "0 4 * * *";
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [
          {
            name = "sync";
            image = "${toolbox.repository}@${toolbox.digest}";
            command = [
              "rclone"
              "copy"
              "minio:shared-subfolders"
              "proton:Homelab/shared-subfolders"
              "--transfers=2"
            ];
            env = [
              { name = "PROTON_BRIDGE"; value = bridgePort; }
              { name = "RCLONE_CONFIG"; value = "/config/rclone.conf"; }
            ];
            volumeMounts = [
              { name = "rclone-config"; mountPath = "/config"; readOnly = true; }
            ];
          }
          {
            name = "bridge";
            image = "docker.io/shenxn/protonmail-bridge:3.0.21"; # pinner:ignore
            args = [ "init" ];
            ports = [ { containerPort = 1143; } ];
            volumeMounts = [
              { name = "bridge-state"; mountPath = "/root"; }
            ];
          }
        ];
        volumes = [
          { name = "rclone-config"; secret.secretName = "proton-rclone-config"; }
          { name = "bridge-state"; persistentVolumeClaim.claimName = "proton-bridge"; }
        ];
      };
    };
  };
}
