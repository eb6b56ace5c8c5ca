{ config, lib, k8s, ... }:

with lib;
with k8s;

{
  config.kubernetes.moduleDefinitions.nats.module = { name, config, module, ... }: {
    options = {
      image = mkOption {
        description = "NATS server image";
        type = types.str;
        default = "nats:2.10.24-alpine";
      };

      # Exporter sidecar; the default has neither registry nor tag.
      sidecarImage = mkOption {
        description = "Prometheus exporter sidecar image";
        type = types.str;
        default = "natsio/prometheus-nats-exporter";
      };

      reloaderImage = mkOption {
        description = "Config reloader sidecar";
        type = types.str;
        default = "ghcr.io/nats-io/" + "nats-server-config-reloader:0.16.0";
      };

      toolsImage = mkOption {
        description = "Image with the nats CLI, pulled from the cluster-wide registry mirror";
        type = types.str;
        default = config.kubernetes.dockerRegistry + "/nats-box:0.14.5";
      };

      cluster = {
        enable = mkEnableOption "NATS clustering";
        routesPort = mkOption {
          type = types.port;
          default = 6222;
        };
      };

      jetstream.maxFileStore = mkOption {
        description = "JetStream file store limit";
        type = types.str;
        default = "10Gi";
      };
    };

    config = {
      kubernetes.resources.statefulSets.nats = {
        metadata.name = name;
        spec = {
          replicas = if config.cluster.enable then 3 else 1;
          serviceName = name;
          selector.matchLabels.app = name;
          template = {
            metadata.labels = {
              app = name;
              version = elemAt (splitString ":" config.image) 1;
            };
            spec.containers = {
              nats = {
                inherit (config) image;
                args = [ "--jetstream" "--config" "/etc/nats/nats.conf" ];
                ports = [
                  { name = "client"; containerPort = 4222; }
                  { name = "cluster"; containerPort = config.cluster.routesPort; }
                ];
              };
              exporter = {
                image = config.sidecarImage;
                args = [ "-varz" "-jsz=all" "http://localhost:8222" ];
              };
              reloader = {
                image = config.reloaderImage;
                args = [ "-pid" "/var/run/nats/nats.pid" "-config" "/etc/nats/nats.conf" ];
              };
            };
          };
        };
      };

      kubernetes.resources.deployments.nats-box = {
        metadata.name = "${name}-box";
        spec.template.spec.containers.box = {
          image = config.toolsImage;
          env.NATS_URL.value = "nats://${name}:4222";
          env.BOX_IMAGE.value = config.toolsImage;
          command = [ "sleep" "infinity" ];
        };
      };
    };
  };
}
