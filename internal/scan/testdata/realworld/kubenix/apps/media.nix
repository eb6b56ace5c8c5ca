{ lib, config, homelab, ... }:

let
  namespace = "media";
  lsio = "lscr.io/linuxserver";
  jellyfinImage = "docker.io/jellyfin/jellyfin:10.10.6";

  arrs = {
    sonarr = { version = "4.0.14"; port = 8989; };
    radarr = { version = "5.21.1"; port = 7878; };
  };

  # One Deployment per *arr app; the image comes from the app name.
  mkArr = app: cfg: {
    metadata = {
      name = app;
      inherit namespace;
      labels.app = app;
    };
    spec = {
      selector.matchLabels.app = app;
      template = {
        metadata.labels.app = app;
        spec.containers.${app} = {
          image = "${lsio}/${app}:${cfg.version}";
          ports.http.containerPort = cfg.port;
          env.TZ.value = "Europe/Lisbon";
          volumeMounts."/config".name = "config";
        };
        spec.volumes.config.persistentVolumeClaim.claimName = "${app}-config";
      };
    };
  };
in
{
  kubernetes.resources.deployments = {
    jellyfin = {
      metadata = { name = "jellyfin"; inherit namespace; };
      spec.template.spec = {
        initContainers = [
          {
            name = "fix-perms";
            image = "busybox:1.37";
            command = [ "chown" "-R" "1000:1000" "/config" ];
          }
          {
            name = "seed-plugins";
            image = jellyfinImage;
            command = [ "/bin/sh" "-c" "cp -rn /jellyfin/plugins/. /config/plugins/" ];
          }
        ];
        containers.jellyfin = {
          image = jellyfinImage;
          ports.http.containerPort = 8096;
          volumeMounts."/config".name = "config";
          volumeMounts."/media".name = "media";
          resources.limits."gpu.intel.com/i915" = "1";
        };
        containers.exporter.image = lib.mkDefault "ghcr.io/rebelcore/jellyfin_exporter:v1.3.1";
        containers.exporter.args = [ "--jellyfin.address=http://localhost:8096" ];
        volumes = {
          config.persistentVolumeClaim.claimName = "jellyfin-config";
          media.nfs = { server = "nas.lan"; path = "/volume1/media"; };
        };
      };
    };

    sonarr = mkArr "sonarr" arrs.sonarr;
    radarr = mkArr "radarr" arrs.radarr;
    # bazarr = mkArr "bazarr" { version = "1.5.1"; port = 6767; };
  };

  kubernetes.resources.services.jellyfin.spec = {
    selector."app.kubernetes.io/name" = "jellyfin";
    ports = [ { name = "http"; port = 8096; } ];
  };
}
