{ lib, ... }:

# The "dev" environment: sets the options declared by the library modules.
{
  services.navidrome = {
    enable = true;
    image = "deluan/navidrome:0.54.2";
    musicPath = "/mnt/tank/music-dev";
  };
  # services.navidrome.image = "deluan/navidrome:develop";

  services.photos = {
    enable = true;
    image.tag = "v1.120.0";
    imageVersion = "v2.5.0";
  };

  services.registryMirror = {
    enable = true;
    image = lib.mkForce "docker.io/library/registry:2.8.3@sha256:478188f4865da586ec90cbb40c8d54996f1b45dc925caff91f1d3386e09c9095";
    upstream = "https://mirror.gcr.io";
  };

  services.objectStore = {
    enable = true;
    image.tag = "RELEASE.2025-05-24T17-08-30Z";
    backup.repository = "s3:https://backup.example.net/objectstore-dev";
    buckets = [ "loki" "velero" ];
  };

  storage.hostpathCsi.registrarImage = "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0";

  applications.ciRunners = {
    enable = true;
    scaleSets.platform = {
      repository = "example-org/platform";
      desiredRunners = 2;
      image = {
        repository = "ghcr.io/example-ci/runner-with-nix";
        tag = "2.321.0-nix2.24";
        pullPolicy = "Always";
      };
    };
    scaleSets.docs.repository = "example-org/docs";
  };

  homelab.nodeContainers = {
    enable = true;
    zigbee.image = "koenkk/zigbee2mqtt:2.0.0";
    sandbox.homeImage = "sandbox-home.img";
  };

  kubernetes.modules.session-cache.configuration.image = lib.mkOverride 90 "eqalpha/keydb:x86_64_v6.3.5";

  # Typos kept from a real review: these do not parse as references.
  services.legacy-wiki.image = "Ghcr.io/Example-Org/Wiki:1.4";
  services.legacy-wiki.sidecarImage = "ghcr.io/example-org/wiki-indexer:1.4.0 ";
}
