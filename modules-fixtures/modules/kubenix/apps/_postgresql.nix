{ kubenix, config, lib, homelab, ... }:

# Disabled: replaced by postgresql-18.nix (same image, newer commit).
let
  name = "postgresql";
  namespace = homelab.kubernetes.namespaces.applications;

  image = {
    registry = "ghcr.io";
    repository = "josevictorferreira/postgresql-vchord-bitnami";
    tag = "54c9cd376be1eb5a2b3baf4df0f4dc86c472325c";
  };
in
{
  kubernetes.helm.releases.${name} = {
    inherit namespace;
    chart = kubenix.lib.helm.fetch {
      repo = "https://charts.bitnami.com/bitnami";
      chart = "postgresql";
      version = "15.5.38";
      sha256 = "sha256-9m0x1Yq2cJkP6r8bV2zA7tN4hW3sL5dF0gE1uR8iO2U=";
    };

    values = {
      image = {
        registry = image.registry;
        repository = image.repository;
        tag = image.tag;
        pullPolicy = "IfNotPresent";
      };

      auth = {
        existingSecret = "postgresql-auth";
        database = "homelab";
      };

      primary = {
        initContainers = [
          {
            name = "check-vchord";
            image = "${image.registry}/${image.repository}:${image.tag}";
            command = [ "/bin/bash" "-c" "test -f /opt/bitnami/postgresql/lib/vchord.so" ];
          }
        ];
        extendedConfiguration = ''
          shared_preload_libraries = 'vchord.so'
        '';
        persistence = {
          size = "20Gi";
          mountPath = "/bitnami/postgresql";
        };
      };

      readReplicas.replicaCount = 0;
      # metrics.image = { registry = "docker.io"; repository = "bitnami/postgres-exporter"; tag = "0.15.0"; };
    };
  };
}
