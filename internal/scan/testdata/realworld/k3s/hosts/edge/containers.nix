{ config, lib, ... }:

# A few services stay outside the cluster, as plain OCI containers on the host.
let
  dataDir = "/srv/containers";
  adguardVersion = "v0.107.59";
in
{
  virtualisation.oci-containers.backend = "podman";

  virtualisation.oci-containers.containers = {
    adguard = {
      image = "docker.io/adguard/adguardhome:${adguardVersion}";
      ports = [ "53:53/udp" "53:53/tcp" "127.0.0.1:3000:3000" ];
      volumes = [
        "${dataDir}/adguard/work:/opt/adguardhome/work"
        "${dataDir}/adguard/conf:/opt/adguardhome/conf"
      ];
    };

    homepage = {
      image = "ghcr.io/gethomepage/homepage";
      ports = [ "3005:3000" ];
      volumes = [ "/var/run/podman/podman.sock:/var/run/docker.sock:ro" ];
      environment.HOMEPAGE_ALLOWED_HOSTS = "home.arpa,edge.home.arpa:3005";
    };

    unifi = {
      image = "lscr.io/linuxserver/unifi-network-application:9.0.114-ls77";
      ports = [ "8443:8443" "3478:3478/udp" "10001:10001/udp" ];
      environment = {
        PUID = "1000";
        PGID = "1000";
        MONGO_HOST = "unifi-db";
        MONGO_PORT = "27017";
      };
      dependsOn = [ "unifi-db" ];
    };

    unifi-db = {
      image = "mongo:7.0.16";
      volumes = [ "${dataDir}/unifi-db:/data/db" ];
    };

    zwave = {
      image = "192.168.40.2:5000/zwave-js/zwave-js-ui:9.31.0";
      extraOptions = [ "--device=/dev/serial/by-id/usb-zwave:/dev/zwave" ];
    };

    # scrypted = {
    #   image = "ghcr.io/koush/scrypted:v0.138.0";
    # };

    ntfy = {
      image = "binwiederhier/ntfy@sha256:72225e2a4ddf1b3d5b64f5a5c621290c914926be975139430e0fbd37d3d628d0";
      cmd = [ "serve" ];
      ports = [ "8090:80" ];
    };
  };
}
