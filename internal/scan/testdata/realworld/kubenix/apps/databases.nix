{ kubenix, lib, homelab, ... }:

let
  namespace = "databases";
  pgMajor = 16;

  redisImage = {
    registry = "docker.io";
    repository = "bitnami/redis";
    tag = "7.4.2-debian-12-r6";
    digest = "sha256:a3a7b08cd4bf84dcf1bc4590264b72d36fc82ba9012f218bec4ae069bbb6c488";
  };
in
{
  # CloudNativePG objects, declared through kubenix.customTypes.
  kubernetes.resources.clusters.main-pg = {
    metadata.namespace = namespace;
    spec = {
      instances = 2;
      imageName = "ghcr.io/cloudnative-pg/postgresql:16.8-standard-bookworm";
      imagePullPolicy = "IfNotPresent";
      postgresql.shared_preload_libraries = [ "vectors.so" ];
      bootstrap.initdb = { database = "app"; owner = "app"; };
      storage = { size = "20Gi"; storageClass = "longhorn"; };
      monitoring.enablePodMonitor = true;
    };
  };

  kubernetes.resources.clusterImageCatalogs.postgresql.spec.images = [
    { major = 15; image = "ghcr.io/cloudnative-pg/postgresql:15.12-standard-bookworm"; }
    { major = 16; image = "ghcr.io/cloudnative-pg/postgresql:16.8-standard-bookworm@sha256:91e5ad20e75798c1faa4062f319a96809ae73435cf7dcb3b0f7e1b5c9cddb652"; }
    { major = 17; image = "ghcr.io/cloudnative-pg/postgresql:17.4-standard-bookworm"; }
  ];

  kubernetes.resources.clusters.vector-pg = {
    metadata.namespace = namespace;
    spec = {
      instances = 1;
      imageCatalogRef = {
        apiGroup = "postgresql.cnpg.io";
        kind = "ClusterImageCatalog";
        name = "postgresql";
        major = pgMajor;
      };
      storage.size = "5Gi";
    };
  };

  kubernetes.helm.releases.redis = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "oci://registry-1.docker.io/bitnamicharts";
      chart = "redis";
      version = "20.11.3";
      sha256 = "sha256-n1j+ar7/HFPs4d0QgEVmAGn+mEjuPpbuJAsofBC+JHk=";
    };
    values = {
      global.security.allowInsecureImages = true;
      image = redisImage;
      architecture = "standalone";
      auth.existingSecret = "redis-auth";

      metrics = {
        enabled = true;
        image = {
          registry = "docker.io";
          repository = "bitnami/redis-exporter";
          tag = "1.69.0-debian-12-r2";
          pullPolicy = "IfNotPresent";
        };
      };

      sentinel.image = { registry = "docker.io"; };
      volumePermissions.enabled = true;
      volumePermissions.image.digest = "sha256:81d11ca68129fdaf5d7c15120ac887a21b6c40cca2e3f52993ce9106ac2720ef";
    };
  };
}
