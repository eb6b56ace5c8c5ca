{ config, lib, ... }:

let
  isServer = config.services.k3s.role == "server";
  longhornVersion = "v1.8.1";
in
{
  # Charts are only deployed from the server node.
  services.k3s.autoDeployCharts = lib.mkIf isServer {
    longhorn = {
      name = "longhorn";
      repo = "https://charts.longhorn.io";
      version = "1.8.1";
      hash = "sha256-ltr7u+xDrmOsn8qMhxo3mnuf3aRuD7Ezw6nh3GfBtSc=";
      targetNamespace = "longhorn-system";
      createNamespace = true;
      values = {
        image.longhorn.instanceManager.tag = "v1.8.1-hotfix-1";
        image.longhorn.engine = {
          repository = "longhornio/longhorn-engine";
          tag = longhornVersion;
        };
        image.csi.attacher.repository = "registry.k8s.io/sig-storage/csi-attacher";
        image.csi.attacher.tag = "v4.8.1";
        defaultSettings = {
          defaultReplicaCount = 2;
          backupTarget = "s3://longhorn-backups@us-east-1/";
          storageMinimalAvailablePercentage = "15";
        };
        persistence.defaultClassReplicaCount = 2;
      };
    };

    rook-ceph-cluster = {
      name = "rook-ceph-cluster";
      repo = "https://charts.rook.io/release";
      version = "v1.16.5";
      hash = "sha256-aIdRb/fCSjXHF3MKy8Fvi7Y0IliClCdsrYX0bOgQdGU=";
      targetNamespace = "rook-ceph";
      values = {
        operatorNamespace = "rook-ceph";
        cephClusterSpec = {
          cephVersion = {
            image = "quay.io/ceph/ceph:v19.2.1";
            allowUnsupported = false;
          };
          dataDirHostPath = "/var/lib/rook";
          mon.count = 1;
        };
        cephBlockPools = [
          {
            name = "replicapool";
            spec.replicated.size = 2;
            storageClass = {
              enabled = true;
              parameters = {
                imageFormat = "2";
                imageFeatures = "layering";
              };
            };
          }
        ];
        toolbox = {
          enabled = true;
          image = "quay.io/ceph/ceph:v19.2.1";
        };
      };
    };

    zfs-localpv = {
      name = "zfs-localpv";
      repo = "oci://ghcr.io/openebs/charts";
      version = "2.7.1";
      hash = "sha256-1wRSTlPYuF+lJ/lz6CGSadHlf3ERS2huR1x0etcglHs=";
      targetNamespace = "openebs";
      values = {
        zfsPlugin.image = {
          registry = "docker.io/";
          repository = "openebs/zfs-driver";
          tag = "2.7.1";
        };
      };
    };
  };
}
