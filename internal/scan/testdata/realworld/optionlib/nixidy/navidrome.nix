{ ... }:
{
  flake.nixidyApps.navidrome =
    { config, lib, self, ... }:
    with lib;
    self.lib.mkArgoApp { inherit config lib; } rec {
      name = "navidrome";
      uses-ingress = true;

      extraOptions = {
        image = mkOption {
          description = mdDoc "The docker image";
          type = types.str;
          default = "deluan/navidrome:0.53.3";
        };

        scannerImage = mkOption {
          description = mdDoc "Image of the nightly library rescan job";
          type = types.str;
          default = "ghcr.io/example-media/navidrome-rescan:1.2.0";
        };

        musicPath = mkOption {
          description = mdDoc "NFS path holding the library";
          type = types.str;
          default = "/mnt/tank/music";
        };

        scanSchedule = mkOption {
          description = mdDoc "Cron schedule (Navidrome syntax)";
          type = types.str;
          default = "@every 1h";
        };
      };

      extraResources = cfg: {
        deployments.${name} = {
          metadata.labels."app.kubernetes.io/name" = name;
          spec = {
            replicas = 1;
            selector.matchLabels."app.kubernetes.io/name" = name;
            template = {
              metadata.labels."app.kubernetes.io/name" = name;
              spec = {
                initContainers = [{
                  name = "wait-for-nfs";
                  image = "busybox:1.37";
                  command = [ "sh" "-c" "until [ -d /music ]; do sleep 2; done" ];
                }];
                containers = [{
                  inherit name;
                  image = cfg.image;
                  imagePullPolicy = "IfNotPresent";
                  env = [
                    { name = "ND_SCANSCHEDULE"; value = cfg.scanSchedule; }
                    { name = "ND_BASEURL"; value = "https://${cfg.ingress.domain}"; }
                  ];
                  ports = [{ name = "http"; containerPort = 4533; }];
                  volumeMounts = [
                    { name = "music"; mountPath = "/music"; readOnly = true; }
                    { name = "data"; mountPath = "/data"; }
                  ];
                }];
                volumes = [
                  { name = "music"; nfs = { server = "nas.lan"; path = cfg.musicPath; }; }
                  { name = "data"; persistentVolumeClaim.claimName = "${name}-data"; }
                ];
              };
            };
          };
        };

        cronJobs."${name}-rescan".spec = {
          schedule = "15 4 * * *";
          jobTemplate.spec.template.spec = {
            restartPolicy = "Never";
            containers = [{
              name = "rescan";
              image = cfg.scannerImage;
              args = [ "--url" "http://${name}:4533" ];
            }];
          };
        };
      };
    };
}
