{ config, lib, pkgs, ... }:

# Media stack as k3s auto-deploy manifests (one file per object group).
let
  namespace = "media";
  tz = "Europe/Lisbon";
  lsioEnv = [
    { name = "PUID"; value = "1000"; }
    { name = "PGID"; value = "1000"; }
    { name = "TZ"; value = tz; }
  ];

  hostVol = name: path: { inherit name; hostPath = { inherit path; type = "DirectoryOrCreate"; }; };
  mount = name: mountPath: { inherit name mountPath; };

  # Single-container Deployment; extra keys only when given.
  mkDeployment =
    { name, image, port, env ? lsioEnv, volumes ? [ ], mounts ? [ ], resources ? null }:
    let
      container = {
        inherit name image env;
        ports = [ { containerPort = port; } ];
        volumeMounts = mounts;
      } // lib.optionalAttrs (resources != null) { inherit resources; };
    in
    {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { inherit name namespace; };
      spec = {
        replicas = 1;
        strategy.type = "Recreate";
        selector.matchLabels.app = name;
        template = {
          metadata.labels.app = name;
          spec = {
            containers = [ container ];
            inherit volumes;
          };
        };
      };
    };

  mkService = name: port: {
    apiVersion = "v1";
    kind = "Service";
    metadata = { inherit name namespace; };
    spec = {
      selector.app = name;
      ports = [ { inherit port; targetPort = port; } ];
    };
  };
in
{
  services.k3s.manifests = {
    media-namespace.content = {
      apiVersion = "v1";
      kind = "Namespace";
      metadata.name = namespace;
    };

    jellyfin.content = [
      (mkDeployment {
        name = "jellyfin";
        image = "lscr.io/linuxserver/jellyfin:10.10.6ubu2404-ls54";
        port = 8096;
        mounts = [ (mount "config" "/config") (mount "media" "/media") (mount "dri" "/dev/dri") ];
        volumes = [
          (hostVol "config" "/srv/k3s/jellyfin")
          (hostVol "media" "/srv/media")
          (hostVol "dri" "/dev/dri")
        ];
        resources.limits = { cpu = "4"; memory = "4Gi"; };
      })
      (mkService "jellyfin" 8096)
    ];

    prowlarr.content = [
      (mkDeployment {
        name = "prowlarr";
        image = "lscr.io/linuxserver/prowlarr:1.32.2.4987-ls112";
        port = 9696;
        mounts = [ (mount "config" "/config") ];
        volumes = [ (hostVol "config" "/srv/k3s/prowlarr") ];
      })
      (mkService "prowlarr" 9696)
    ];

    seerr.content = mkDeployment {
      name = "jellyseerr";
      image = "docker.io/fallenbagel/jellyseerr:2.5.1";
      port = 5055;
      env = [ { name = "LOG_LEVEL"; value = "info"; } ];
    };

    downloads.content = {
      apiVersion = "apps/v1";
      kind = "Deployment";
      metadata = { name = "downloads"; inherit namespace; };
      spec = {
        selector.matchLabels.app = "downloads";
        template = {
          metadata.labels.app = "downloads";
          spec.containers = [
            {
              name = "gluetun";
              image = "qmcgaw/gluetun:v3.40.0";
              securityContext.capabilities.add = [ "NET_ADMIN" ];
              env = [
                { name = "VPN_SERVICE_PROVIDER"; value = "custom"; }
                { name = "WIREGUARD_ENDPOINT_IP"; value = "198.51.100.17"; }
                { name = "WIREGUARD_PUBLIC_KEY"; value = "q2Yv8p0k3Jd7xLw1ZrT5nB9cVf4hS6mA0eU2iO8yR1E="; }
                { name = "FIREWALL_INPUT_PORTS"; value = "8080"; }
              ];
            }
            {
              name = "qbittorrent";
              image = "lscr.io/linuxserver/qbittorrent:5.0.4-r0-ls384";
              env = lsioEnv ++ [ { name = "WEBUI_PORT"; value = "8080"; } ];
              volumeMounts = [ (mount "downloads" "/downloads") ];
            }
          ];
          spec.volumes = [ (hostVol "downloads" "/srv/media/downloads") ];
        };
      };
    };

    homepage-config.content = {
      apiVersion = "v1";
      kind = "ConfigMap";
      metadata = { name = "homepage-services"; inherit namespace; };
      data."services.yaml" = ''
        - Media:
            - Jellyfin:
                href: http://jellyfin.home.arpa
                icon: jellyfin.png
            - Prowlarr:
                href: http://prowlarr.home.arpa
                icon: prowlarr.png
      '';
    };
  };
}
