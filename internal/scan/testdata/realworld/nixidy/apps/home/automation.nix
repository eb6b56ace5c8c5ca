{ ... }:
{
  applications.home-automation = {
    namespace = "home";
    createNamespace = true;

    resources = {
      deployments.zigbee-bridge.spec = {
        replicas = 1;
        strategy.type = "Recreate";
        selector.matchLabels.app = "zigbee-bridge";
        template = {
          metadata.labels.app = "zigbee-bridge";
          spec = {
            hostNetwork = true;
            containers.bridge = {
              image = "ghcr.io/koenkk/zigbee2mqtt:2.1.3";
              env = [
                {
                  name = "ZIGBEE2MQTT_CONFIG_MQTT_SERVER";
                  value = "mqtt://mosquitto.home.svc:1883";
                }
                {
                  name = "TZ";
                  value = "Europe/Oslo";
                }
              ];
              securityContext.privileged = true;
              volumeMounts = [
                {
                  name = "data";
                  mountPath = "/app/data";
                }
                {
                  name = "config";
                  mountPath = "/app/data/configuration.yaml";
                  subPath = "configuration.yaml";
                }
              ];
            };
            volumes = [
              {
                name = "data";
                persistentVolumeClaim.claimName = "zigbee-data";
              }
              {
                name = "config";
                configMap.name = "bridge-config";
              }
            ];
          };
        };
      };

      statefulSets.mosquitto.spec = {
        serviceName = "mosquitto";
        selector.matchLabels.app = "mosquitto";
        template.metadata.labels.app = "mosquitto";
        template.spec = {
          initContainers = [
            {
              name = "fix-perms";
              image = "alpine:3.21";
              command = [ "chown" "-R" "1883:1883" "/mosquitto/data" ];
            }
          ];
          containers.mosquitto = {
            image = "eclipse-mosquitto:2.0.21@sha256:7fb870921cade60214c32c9e31eddcdfb911ebb1adcb256b61a76418bc7b912a";
            ports = [
              {
                name = "mqtt";
                containerPort = 1883;
              }
            ];
          };
        };
      };

      deployments.piper-tts.spec.template.spec.containers.piper = {
        image = "rhasspy/wyoming-piper:1.5.3";
        args = [ "--voice" "en_US-lessac-medium" "--uri" "tcp://0.0.0.0:10200" ];
      };

      clusters.recorder-db.spec = {
        instances = 1;
        imageName = "ghcr.io/cloudnative-pg/postgresql:16.6-bookworm";
        storage = {
          size = "5Gi";
          storageClass = "longhorn";
        };
        postgresql.shared_preload_libraries = [ "timescaledb" ];
      };

      clusters.archive-db.spec = {
        instances = 1;
        imageCatalogRef = {
          apiGroup = "postgresql.cnpg.io";
          kind = "ClusterImageCatalog";
          name = "postgresql";
          major = 16;
        };
        storage.size = "20Gi";
      };

      configMaps.bridge-config.data."configuration.yaml" = ''
        homeassistant:
          enabled: true
        mqtt:
          server: mqtt://mosquitto.home.svc:1883
          base_topic: zigbee2mqtt
        serial:
          port: /dev/ttyUSB0
        frontend:
          port: 8080
      '';

      services.mosquitto.spec = {
        selector.app = "mosquitto";
        ports = [ { port = 1883; } ];
      };
    };
  };
}
