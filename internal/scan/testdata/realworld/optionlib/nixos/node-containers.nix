# Node-local containers that run beside k3s (outside the cluster) on the
# storage nodes, declared through virtualisation.oci-containers.
{ config, lib, pkgs, ... }:

let
  cfg = config.homelab.nodeContainers;
in
{
  options.homelab.nodeContainers = {
    enable = lib.mkEnableOption "node-local helper containers";

    hass = {
      image = lib.mkOption {
        type = lib.types.str;
        default = "ghcr.io/home-assistant/home-assistant:2025.1.4";
        description = "Home Assistant image (host networking for mDNS discovery).";
      };
      dataDir = lib.mkOption {
        type = lib.types.str;
        default = "/var/lib/hass";
      };
    };

    sandbox = {
      homeImage = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = "home.img";
        description = "Disk image file backing the sandbox home directory.";
      };
      rootImage = lib.mkOption {
        type = lib.types.str;
        default = "/var/lib/sandbox/root.qcow2";
      };
    };

    zigbee.image = lib.mkOption {
      type = lib.types.str;
      default = "koenkk/zigbee2mqtt:1.42.0";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.oci-containers.backend = "podman";

    virtualisation.oci-containers.containers = {
      hass = {
        image = cfg.hass.image;
        volumes = [ "${cfg.hass.dataDir}:/config" "/etc/localtime:/etc/localtime:ro" ];
        extraOptions = [ "--network=host" ];
      };

      matter = {
        image = "ghcr.io/home-assistant-libs/python-matter-server:7.0.1@sha256:93c8e8aefb622e0347bd786557219f1acacddb31591171fc8e05ccc04fd1794a";
        extraOptions = [ "--network=host" "--security-opt=apparmor=unconfined" ];
        volumes = [ "/var/lib/matter:/data" ];
      };

      zigbee = {
        image = cfg.zigbee.image;
        environment.TZ = "Europe/Lisbon";
        ports = [ "127.0.0.1:8099:8080" ];
      };

      mosquitto = {
        image = "eclipse-mosquitto:2.0.20";
        imageFile = pkgs.dockerTools.pullImage {
          imageName = "eclipse-mosquitto";
          imageDigest = "sha256:f1d6592e317c60c7273b2e1979d224955797920e4935e31be6ccd34ca07a7760";
          hash = "sha256-0t1b2Yb9mQ7uV3kN5xC8wE4rA6sD2fG1hJ9kL0zP7oI=";
          finalImageTag = "2.0.20";
        };
        login.registry = "docker.io";
        ports = [ "1883:1883" ];
      };
    };

    systemd.services.podman-hass.serviceConfig.Restart = lib.mkForce "always";
  };
}
