{ lib, homelab, ... }:

let
  ns = "home";

  z2m = {
    label = "zigbee2mqtt";
    version = "2.1.3";
    port = 8080;
    imagePolicy = "IfNotPresent";
  };

  images = rec {
    registry = "docker.io";
    mosquitto = "${registry}/library/eclipse-mosquitto:2.0.21";
    hass = "ghcr.io/home-assistant/home-assistant:2025.3.1";
    esphome = "ghcr.io/esphome/esphome:2025.2.2@sha256:e8377cb33de7cf030551d22017ad32d21b9a9f00cea01e16e19eaa958b558344";
  };
  inherit (images) mosquitto;
in
{
  kubernetes.resources = {
    statefulSets.${z2m.label} = {
      metadata.namespace = ns;
      metadata.labels.app = z2m.label;
      spec = {
        serviceName = z2m.label;
        selector.matchLabels.app = z2m.label;
        template = {
          metadata.labels.app = z2m.label;
          spec.containers.${z2m.label} = {
            image = "ghcr.io/koenkk/${z2m.label}:${z2m.version}";
            imagePullPolicy = z2m.imagePolicy;
            env = [
              { name = "ZIGBEE2MQTT_CONFIG_MQTT_SERVER"; value = "mqtt://mosquitto.${ns}.svc:1883"; }
              { name = "TZ"; value = "Europe/Lisbon"; }
            ];
            ports = [ { name = "web"; containerPort = z2m.port; } ];
            volumeMounts = [ { name = "usb"; mountPath = "/dev/ttyUSB0"; } ];
          };
        };
      };
    };

    statefulSets.mosquitto.spec.template.spec.containers.broker = {
      image = mosquitto;
      ports = [ { containerPort = 1883; } ];
    };

    deployments.home-assistant.spec.template.spec = {
      hostNetwork = true;
      containers.hass.image = images.hass;
      containers.code-server.image = "ghcr.io/coder/" + "code-server:4.98.2";
      containers.code-server.args = [ "--auth" "none" "--port" "12321" ];
    };

    deployments.esphome.spec.template.spec.containers = [
      {
        name = "esphome";
        image = images.esphome;
        env = [ { name = "ESPHOME_DASHBOARD_USE_PING"; value = "true"; } ];
      }
    ];

    configMaps.${z2m.label}.data."configuration.yaml" = ''
      homeassistant:
        enabled: true
      mqtt:
        server: mqtt://mosquitto.${ns}.svc:1883
        base_topic: zigbee2mqtt
      serial:
        port: /dev/ttyUSB0
        adapter: ember
      frontend:
        port: ${toString z2m.port}
    '';
  };
}
