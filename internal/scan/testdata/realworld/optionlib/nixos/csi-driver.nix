{ config, lib, ... }:

let
  cfg = config.storage.hostpathCsi;
  helperImage = "docker.io/library/busybox:1.37.0";
in
{
  options.storage.hostpathCsi = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
    };

    image = lib.mkOption {
      type = lib.types.str;
      default =
        let
          meta = builtins.fromTOML (builtins.readFile ../driver/Cargo.toml);
          version = meta.package.version;
        in
        "quay.io/hostpath-csi/driver:${version}";
      description = "Driver image; the tag follows the crate version.";
    };

    registrarImage = lib.mkOption {
      type = lib.types.str;
      default = "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.12.0";
    };

    livenessImage = lib.mkOption {
      type = lib.types.str;
      default = "registry.k8s.io/sig-storage/livenessprobe:v2.14.0";
    };

    provisionerImage = lib.mkOption {
      type = lib.types.str;
      default = "registry.k8s.io/sig-storage/csi-provisioner:v5.1.0";
    };

    hostPath = lib.mkOption {
      type = lib.types.path;
      default = "/var/lib/hostpath-csi";
    };
  };

  config = lib.mkIf cfg.enable {
    # Site-specific overrides of the library defaults.
    storage.hostpathCsi.livenessImage = lib.mkDefault "registry.k8s.io/sig-storage/livenessprobe:v2.15.0";
    storage.hostpathCsi.provisionerImage = lib.mkOverride 900 "registry.k8s.io/sig-storage/csi-provisioner:v5.2.0";

    kubernetes.resources.daemonSets.hostpath-csi-node.spec.template.spec = {
      containers = {
        driver = {
          image = cfg.image;
          args = [ "--endpoint=unix:///csi/csi.sock" "--helper-image=${helperImage}" ];
          volumeMounts = [{ name = "data"; mountPath = cfg.hostPath; }];
        };
        registrar = {
          image = cfg.registrarImage;
          args = [ "--kubelet-registration-path=/var/lib/kubelet/plugins/hostpath.csi.example/csi.sock" ];
        };
        liveness.image = lib.mkForce "registry.k8s.io/sig-storage/livenessprobe:v2.14.0@sha256:02e7e49de341f27b894b60eba064a5b554f296d5cd65fd484c68b25ecab6efa8";
      };
    };

    kubernetes.resources.configMaps.hostpath-csi-helper.data."helperPod.yaml" = ''
      apiVersion: v1
      kind: Pod
      metadata:
        name: helper-pod
      spec:
        containers:
          - name: helper
            image: ${helperImage}
            imagePullPolicy: IfNotPresent
          - name: chmod
            image: docker.io/library/alpine:3.21
            command: ["sh", "-c", "chmod 0777 /data"]
    '';
  };
}
