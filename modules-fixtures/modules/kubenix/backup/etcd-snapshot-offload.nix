{ kubenix, config, lib, homelab, ... }:

let
  name = "etcd-snapshot-offload";
  namespace = "kube-system";

  images = rec {
    registry = "ghcr.io/josevictorferreira";
    toolbox = "${registry}/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
    etcd = "registry.k8s.io/etcd:3.5.16-0";
  };

  snapshotDir = "/var/lib/rancher/k3s/server/db/snapshots";
in
{
  kubernetes.resources.cronJobs.${name} = {
    metadata = {
      inherit name namespace;
      labels."app.kubernetes.io/name" = name;
    };
    spec = {
      schedule = "45 */6 * * *";
      concurrencyPolicy = "Forbid";
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        hostNetwork = true;
        nodeSelector."node-role.kubernetes.io/control-plane" = "true";
        tolerations = [
          {
            key = "node-role.kubernetes.io/control-plane";
            operator = "Exists";
            effect = "NoSchedule";
          }
        ];
        initContainers = [
          {
            name = "etcdctl-status";
            image = images.etcd;
            command = [
              "etcdctl"
              "--endpoints=https://127.0.0.1:2379"
              "endpoint"
              "status"
            ];
          }
        ];
        containers = [
          {
            name = "offload";
            image = images.toolbox;
            command = [ "rclone" "move" snapshotDir "s3:homelab-backups/etcd" "--min-age=1h" ];
            envFrom = [ { secretRef.name = "etcd-snapshot-offload-s3-credentials"; } ];
            volumeMounts = [
              { name = "snapshots"; mountPath = snapshotDir; }
            ];
          }
        ];
        volumes = [
          {
            name = "snapshots";
            hostPath = { path = snapshotDir; type = "Directory"; };
          }
        ];
      };
    };
  };
}
