{ lib, charts, ... }:
let
  domain = "media.quillhaven.net";
  port = 8096;
in
{
  applications.reelbox = {
    namespace = "media";

    helm.releases.reelbox = {
      chart = charts.bjw-s-labs.app-template;
      values = {
        controllers.reelbox = {
          annotations."reloader.stakater.com/auto" = "true";
          containers.app = {
            image.repository = "ghcr.io/reelbox-dev/reelbox";
            image.tag = "10.10.3";
            image.digest = "sha256:645af138803caaefd22c3e0e248e89884e6aea469c59e017ec9a107f96f67bcd";
            env = {
              TZ = "Europe/Oslo";
              REELBOX_PublishedServerUrl = "https://watch.${domain}";
            };
            probes.liveness.enabled = true;
            probes.readiness.enabled = true;
          };
          containers.transcode-cleaner = {
            image = {
              repository = "docker.io/library/alpine";
              tag = "3.21.3";
            };
            command = [
              "/bin/sh"
              "-c"
              "while true; do find /cache/transcodes -mmin +240 -delete; sleep 3600; done"
            ];
          };
        };
        service.reelbox.ports.http.port = port;
        persistence.media = {
          type = "nfs";
          server = "nas.lan";
          path = "/export/media";
          globalMounts = [
            {
              path = "/media";
              readOnly = true;
            }
          ];
        };
      };
    };

    helm.releases.subfetch = {
      chart = charts.bjw-s-labs.app-template;
      values.controllers.subfetch = {
        annotations."reloader.stakater.com/auto" = "true";
        containers.app = {
          # tag written before the repository: still one image set
          image.tag = "v1.9.2@sha256:ad82e70daec6df2877ed1af51e98e12f6d064d846c84188a6fdf13448425ebe2";
          image.repository = "ghcr.io/subfetch/subfetch";
          envFrom = [ { secretRef.name = "subfetch"; } ];
        };
        containers.exporter = {
          image.repository = "ghcr.io/onedr0p/exportarr";
          image.tag = "v2.0.1";
          args = [ "sonarr" ];
          env.PORT = "9707";
          env.URL = "http://localhost:8989";
        };
      };
    };

    resources.externalSecrets.subfetch.spec.data = [
      {
        secretKey = "SUBFETCH__API_KEY";
        remoteRef.key = "subfetch";
        sourceRef.storeRef = {
          name = "vaultwarden";
          kind = "ClusterSecretStore";
        };
      }
    ];

    resources.httpRoutes.reelbox.spec = {
      hostnames = [ "watch.${domain}" ];
      parentRefs = lib.toList {
        name = "external";
        namespace = "kube-system";
        sectionName = "https";
      };
      rules = lib.toList {
        backendRefs = lib.toList {
          name = "reelbox";
          inherit port;
        };
      };
    };
  };
}
