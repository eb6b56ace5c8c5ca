{ lib, charts, ... }:

let
  cephImage = "quay.io/ceph/ceph:v19.2.0@sha256:2cf6f1fd94bb22feca1b674d6c178253df49d4ada8a7b17309b719be3da933af";
  rookChart = {
    repo = "https://charts.rook.io/release";
    chart = "rook-ceph";
    version = "v1.15.6";
    chartHash = "sha256-Jq4nZ8vT0cB2xR6yW1eM3kP9sD7fL5hA0uG4iO2tE8c=";
  };
in
{
  applications.rook-ceph = {
    namespace = "rook-ceph";
    createNamespace = true;

    helm.releases.rook-ceph-operator = {
      chart = lib.helm.downloadHelmChart rookChart;
      values = {
        image = {
          repository = "docker.io/rook/ceph";
          tag = "v1.15.6";
          pullPolicy = "IfNotPresent";
        };
        csi = {
          enableCephfsDriver = true;
          cephcsi.repository = "quay.io/cephcsi/cephcsi";
          cephcsi.tag = "v3.12.3";
          registrar = {
            repository = "registry.k8s.io/sig-storage/csi-node-driver-registrar";
            tag = "v2.12.0";
          };
          provisioner.tag = "v5.1.0";
        };
        monitoring.enabled = true;
      };
    };

    helm.releases.rook-ceph-cluster = {
      chart = charts.rook-release.rook-ceph-cluster;
      values = {
        toolbox = {
          enabled = true;
          image = "quay.io/ceph/ceph:v19.2.0";
        };
        cephClusterSpec.cephVersion.image = cephImage;
        cephClusterSpec.dataDirHostPath = "/var/lib/rook";
        cephBlockPools = [{
          name = "ceph-blockpool";
          spec.replicated.size = 3;
          storageClass = {
            enabled = true;
            name = "ceph-block";
            parameters = {
              imageFormat = "2";
              imageFeatures = "layering,fast-diff,object-map,deep-flatten,exclusive-lock";
            };
          };
        }];
      };
    };

    # A second, stand-alone cluster managed without the chart.
    resources.cephClusters.archive.spec = {
      cephVersion = {
        image = "quay.io/ceph/ceph:v18.2.4";
        allowUnsupported = false;
      };
      # cephVersion.image = "quay.io/ceph/ceph:v17.2.7";
      dataDirHostPath = "/var/lib/rook-archive";
      mon = { count = 3; allowMultiplePerNode = false; };
      storage = {
        useAllNodes = false;
        nodes = [{
          name = "archive-01";
          devices = [ { name = "/dev/disk/by-id/ata-ST8000VN004-3CP101_WWZ4K1TQ"; } ];
        }];
      };
    };

    resources.cephObjectStores.archive-s3.spec.gateway = {
      instances = 1;
      port = 8080;
    };
  };

  # Seed the Ceph image on air-gapped storage nodes.
  seedImages = [
    (lib.dockerTools.pullImage {
      imageName = "quay.io/ceph/ceph";
      imageDigest = "sha256:2cf6f1fd94bb22feca1b674d6c178253df49d4ada8a7b17309b719be3da933af";
      hash = "sha256-6Hh0yJ2qX8vN4mR1tB7cW3kE9sZ5aD0fL2gP8uI1oT4=";
      finalImageTag = "v19.2.0";
    })
  ];
}
