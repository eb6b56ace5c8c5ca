{ lib, ... }:

# Small constructors shared by the app modules.
# Imported as `homelab.lib = import ./lib/helpers.nix { inherit lib; };`
let
  defaultLabels = name: {
    "app.kubernetes.io/name" = name;
    "app.kubernetes.io/managed-by" = "kubenix";
  };

  httpProbe = path: port: {
    httpGet = { inherit path port; };
    periodSeconds = 20;
  };
in
rec {
  inherit defaultLabels httpProbe;

  # Positional arguments: name, image, port.
  mkDeployment = name: image: port: {
    metadata.labels = defaultLabels name;
    spec = {
      replicas = 1;
      selector.matchLabels."app.kubernetes.io/name" = name;
      template = {
        metadata.labels = defaultLabels name;
        spec.containers.${name} = {
          inherit image;
          ports.http.containerPort = port;
          livenessProbe = httpProbe "/healthz" port;
        };
      };
    };
  };

  # Set argument; the metrics sidecar has a default image, the wait-for
  # init container comes from the caller's registry.
  mkApp =
    { name
    , image
    , registry
    , port ? 8080
    , metricsImage ? "quay.io/prometheuscommunity/json-exporter:v0.6.0"
    , extraContainers ? { }
    }:
    {
      metadata.labels = defaultLabels name;
      spec.template.spec = {
        initContainers = [
          {
            name = "wait-for-db";
            image = "${registry}/wait-for:2.2.4";
            args = [ "postgres.databases.svc:5432" "--timeout=120" ];
          }
        ];
        containers = {
          ${name} = {
            inherit image;
            ports.http.containerPort = port;
          };
          metrics = {
            image = metricsImage;
            args = [ "--config.file=/etc/json-exporter/config.yml" ];
            ports.metrics.containerPort = 7979;
          };
        } // extraContainers;
      };
    };

  # Adds an ephemeral-style debug container to any pod template.
  withDebugSidecar = deployment:
    lib.recursiveUpdate deployment {
      spec.template.spec.containers.debug = {
        image = lib.mkDefault "docker.io/nicolaka/netshoot:v0.13";
        command = [ "sleep" "infinity" ];
        # image = "nicolaka/netshoot:latest";
      };
    };

  listenAddress = "0.0.0.0:9100";
}
