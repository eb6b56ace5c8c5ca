{ kubenix, config, lib, homelab, ... }:

let
  name = "postgresql-18";
  namespace = homelab.kubernetes.namespaces.applications;
  storageClass = "rook-ceph-block";
in
{
  kubernetes.helm.releases.${name} = {
    inherit namespace;
    chart = "oci://registry-1.docker.io/bitnamicharts/postgresql";
    version = "16.7.27";

    values = {
      fullnameOverride = name;
      global.security.allowInsecureImages = true;

      image = {
        registry = "ghcr.io";
        repository = "josevictorferreira/postgresql-vchord-bitnami";
        tag = "38c40fefe0c58cff6622de77f787634320e1ae5e";
        pullPolicy = "IfNotPresent";
      };

      auth = {
        existingSecret = "${name}-auth";
        secretKeys.adminPasswordKey = "postgres-password";
      };

      primary = {
        extendedConfiguration = ''
          shared_preload_libraries = 'vchord.so'
          max_connections = 200
          listen_addresses = '*'
        '';
        persistence = {
          enabled = true;
          inherit storageClass;
          size = "40Gi";
          mountPath = "/bitnami/postgresql";
        };
        podLabels."app.kubernetes.io/name" = "postgresql";
        service.ports.postgresql = 5432;
        resources = {
          requests = { cpu = "250m"; memory = "1Gi"; };
          limits.memory = "4Gi";
        };
      };

      volumePermissions = {
        enabled = true;
        image = {
          registry = "docker.io";
          repository = "bitnami/os-shell";
          tag = "12-debian-12-r51";
          pullPolicy = "IfNotPresent";
        };
      };

      metrics = {
        enabled = true;
        image = {
          registry = "docker.io";
          repository = "bitnami/postgres-exporter";
          tag = "0.17.1-debian-12-r16";
          digest = "sha256:c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
        };
        serviceMonitor.enabled = true;
      };
    };
  };

  # Consumers reach the database through this name.
  kubernetes.resources.configMaps."${name}-endpoint" = {
    metadata = { name = "${name}-endpoint"; inherit namespace; };
    data = {
      DATABASE_HOST = "${name}.${namespace}.svc.cluster.local:5432";
      DATABASE_URL_TEMPLATE = "postgresql://%s@postgresql-18.apps.svc:5432/%s";
    };
  };
}
