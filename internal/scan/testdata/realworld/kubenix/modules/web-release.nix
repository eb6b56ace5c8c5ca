{ config, lib, kubenix, ... }:

with lib;

{
  imports = with kubenix.modules; [ submodules k8s ];

  submodules.imports = [
    {
      module = { name, config, ... }:
        let
          cfg = config.submodule.args;
        in
        {
          imports = with kubenix.modules; [ submodule k8s ];

          options.submodule.args = {
            image = mkOption {
              type = types.str;
              default = "ghcr.io/acme/hello-web:1.4.2";
              example = "ghcr.io/acme/hello-web:2.0.0-rc.1";
              description = "Container image for the release, e.g. docker.io/library/nginx:1.27.";
            };

            initImage = mkOption {
              type = types.str;
              default = "busybox:1.37.0";
              defaultText = literalExpression ''"docker.io/library/busybox:1.37.0"'';
              description = "Image of the init container.";
            };

            replicas = mkOption {
              type = types.int;
              default = 1;
            };

            sidecars = mkOption {
              default = { };
              description = "Extra containers, keyed by name.";
              type = types.attrsOf (types.submodule {
                options = {
                  sidecarImage = mkOption {
                    type = types.str;
                    default = "docker.io/envoyproxy/envoy:v1.33.1";
                  };
                  port = mkOption {
                    type = types.port;
                    default = 15000;
                  };
                };
              });
            };

            bootImageName = mkOption {
              type = types.str;
              default = "debian-12-genericcloud";
              description = "Cloud image a KubeVirt VM of this release boots from.";
            };
          };

          config = {
            submodule = {
              name = "web-release";
              passthru.kubernetes.objects = config.kubernetes.objects;
            };

            kubernetes.resources.deployments.${name}.spec = {
              replicas = cfg.replicas;
              selector.matchLabels.app = name;
              template.metadata.labels.app = name;
              template.spec = {
                initContainers = [
                  { name = "init"; image = cfg.initImage; command = [ "true" ]; }
                ];
                containers = {
                  app.image = cfg.image;
                } // mapAttrs (n: s: { image = s.sidecarImage; ports.admin.containerPort = s.port; }) cfg.sidecars;
              };
            };
          };
        };
    }
  ];

  submodules.instances.hello = {
    submodule = "web-release";
    args.image = "ghcr.io/acme/hello-web:1.4.3@sha256:10e6ab33afccb50a7213f8d448799f62f051c5000309e8fd08abca2aba9b747b";
    args.sidecars.envoy.sidecarImage = "docker.io/envoyproxy/envoy:v1.33.2";
  };

  submodules.instances.hello-canary = {
    submodule = "web-release";
    args = {
      image = "ghcr.io/acme/hello-web:1.5.0-rc.2";
      replicas = 1;
      bootImageName = "ubuntu-24.04";
    };
  };
}
