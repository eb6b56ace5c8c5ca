{ lib, ... }:

let
  cloudInit = ''
    #cloud-config
    ssh_authorized_keys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForFixturesOnly ops@example.net
    runcmd:
      - podman run -d --name node-agent docker.io/library/nginx:1.27.3
  '';
in
{
  applications.virtualization = {
    namespace = "vms";

    resources.kubeVirts.kubevirt.spec = {
      imageRegistry = "quay.io/kubevirt";
      imageTag = "v1.4.0";
      configuration.developerConfiguration.featureGates = [ "DataVolumes" "Snapshot" ];
    };

    resources.virtualMachines.build-runner.spec = {
      runStrategy = "Always";
      instancetype.name = "u1.large";
      preference.name = "fedora";
      template.spec = {
        domain.devices.disks = [
          { name = "rootdisk"; disk.bus = "virtio"; }
          { name = "cloudinit"; disk.bus = "virtio"; }
        ];
        volumes = [
          {
            name = "rootdisk";
            containerDisk.image = "quay.io/containerdisks/fedora:41";
          }
          {
            name = "tools";
            containerDisk = {
              image = "ghcr.io/example-org/vm-tools-disk:2024.12@sha256:5a7ab84356f4676b94f64c1e96fe295c65a173d85d5b26b1185effabbe1cd701";
              path = "/disk/tools.qcow2";
            };
          }
          { name = "cloudinit"; cloudInitNoCloud.userData = cloudInit; }
        ];
      };
    };

    resources.dataVolumes.ubuntu-root.spec = {
      source.registry = {
        url = "docker://quay.io/containerdisks/ubuntu:22.04";
        pullMethod = "node";
      };
      storage.resources.requests.storage = "30Gi";
    };

    resources.dataVolumes.debian-root.spec = {
      source.http.url = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2";
      storage.resources.requests.storage = "20Gi";
    };

    # Cluster-API workers on a cloud provider: these are VM snapshot names, not container images.
    resources.hCloudMachineTemplates.burst-worker.spec.template.spec = {
      type = "cpx31";
      imageName = "ubuntu-22.04";
    };
    resources.hCloudMachineTemplates.burst-worker-talos.spec.template.spec = {
      type = "cpx41";
      imageName = "talos-v1-8-3";
    };
  };
}
