{ kubenix, config, lib, homelab, ... }:

let
  app = "qbittorrent";
  namespace = homelab.kubernetes.namespaces.media;
  webuiPort = 8080;
  gluetunVersion = "v3.40.0";
in
{
  kubernetes.helm.releases.${app} = {
    inherit namespace;
    # Local chart: qbittorrent behind gluetun, with metrics and port-forward sidecars.
    chart = ../../../charts/qbittorrent;

    values = {
      image = {
        repository = "ghcr.io/home-operations/qbittorrent";
        tag = "5.1.2@sha256:deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
        pullPolicy = "IfNotPresent";
      };

      exportarrImage = {
        repository = "ghcr.io/onedr0p/exportarr";
        tag = "v2.2.0";
        pullPolicy = "IfNotPresent";
      };

      qbitportforwardImage = {
        repository = "snoringdragon/gluetun-qbittorrent-port-manager";
        digest = "sha256:feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface";
        pullPolicy = "IfNotPresent";
      };

      gluetun = {
        enabled = true;
        image = {
          repository = "ghcr.io/qdm12/gluetun";
          tag = gluetunVersion;
        };
        env = {
          VPN_SERVICE_PROVIDER = "protonvpn";
          VPN_PORT_FORWARDING = "on";
          HTTP_CONTROL_SERVER_ADDRESS = ":8000";
          FIREWALL_OUTBOUND_SUBNETS = "10.42.0.0/16,10.43.0.0/16";
        };
        existingSecret = "gluetun-vpn-credentials";
      };

      exportarr = {
        enabled = true;
        env = {
          PORT = "9707";
          URL = "http://localhost:${toString webuiPort}";
          APIKEY_FILE = "/config/exportarr-api-key";
        };
      };

      qbitportforward = {
        enabled = true;
        env = {
          QBITTORRENT_SERVER = "localhost";
          QBITTORRENT_PORT = toString webuiPort;
          GLUETUN_CONTROL = "gluetun:8000";
          PORT_FORWARDED = "/tmp/gluetun/forwarded_port";
        };
      };

      podLabels."app.kubernetes.io/name" = "qbittorrent";

      persistence = {
        config = { existingClaim = "${app}-config"; mountPath = "/config"; };
        downloads = { existingClaim = "cephfs-media"; mountPath = "/downloads"; subPath = "torrents"; };
      };

      ingress = {
        enabled = true;
        host = "torrent.${homelab.domain}";
        backend = "qbittorrent.media.svc:${toString webuiPort}";
      };
    };
  };
}
