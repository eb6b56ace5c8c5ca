{ kubenix, lib, config, ... }:
let
  cfg = config.apps.web;
  image = {
    registry = "ghcr.io";
    repository = "pinner-dev/web";
    tag = "1.4.2";
    digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  };
  imageRef = "${image.registry}/${image.repository}:${image.tag}@${image.digest}";
in
{
  imports = [ kubenix.modules.k8s ];

  options.apps.web = {
    replicas = lib.mkOption {
      type = lib.types.ints.positive;
      default = 2;
      description = "Number of web replicas.";
    };
  };

  config.kubernetes.resources = {
    deployments.web.spec = {
      replicas = cfg.replicas;
      selector.matchLabels.app = "web";
      template = {
        metadata.labels.app = "web";
        spec.containers.web = {
          image = imageRef;
          ports = [{ containerPort = 8080; }];
          env = lib.mapAttrsToList (name: value: { inherit name value; }) {
            LOG_LEVEL = "info";
            "FEATURE_X" = "true";
          };
          resources.limits = { cpu = "500m"; memory = "256Mi"; };
        };
      };
    };
    services.web.spec = {
      selector.app = "web";
      ports = [{ port = 80; targetPort = 8080; }];
    };
    configMaps.web-config.data."app.yaml" = ''
      server:
        port: 8080
      image: ${imageRef}
    '';
  };
}
