# A kubenix module shaped like the ones pinner scans: images as strings, as
# helm-values attribute sets, through let bindings and interpolation.
{ config, lib, pkgs, kubenix, ... }:

let
  namespace = "media";
  domain = "home.example.org";
  imageTag = "latest";
  toolboxImage = "ghcr.io/josevictorferreira/backup-toolbox:1.0.0@sha256:5a8a1e3b3c2f4d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
  agentApp = "agent";
  storageClass = "ceph-block";

  mkIngress = name: port: {
    enabled = true;
    className = "nginx";
    annotations = {
      "cert-manager.io/cluster-issuer" = "letsencrypt";
      "nginx.ingress.kubernetes.io/proxy-body-size" = "0";
    };
    hosts = [
      {
        host = "${name}.${domain}";
        paths = [ { path = "/"; pathType = "Prefix"; service.port = port; } ];
      }
    ];
    tls = [ { secretName = "${name}-tls"; hosts = [ "${name}.${domain}" ]; } ];
  };

  commonEnv = {
    TZ = "Europe/Lisbon";
    PUID = "1000";
    PGID = "1000";
  };

  resources = cpu: memory: {
    requests = { inherit cpu memory; };
    limits.memory = memory;
  };
in
{
  imports = [ kubenix.modules.k8s kubenix.modules.helm ];

  kubernetes.namespace = namespace;

  kubernetes.helm.releases.jellyfin = {
    chart = kubenix.lib.helm.fetch {
      repo = "https://jellyfin.github.io/jellyfin-helm";
      chart = "jellyfin";
      version = "2.1.0";
      sha256 = "sha256-3bPq3XHxQp0xJ9tY1rW8mQz6GvVnKk5oYcLdEfAaBbC=";
    };
    inherit namespace;
    values = {
      image = {
        repository = "jellyfin/jellyfin";
        tag = "10.10.3";
        pullPolicy = "IfNotPresent";
      };
      ingress = mkIngress "jellyfin" 8096;
      persistence.config = {
        enabled = true;
        size = "10Gi";
        inherit storageClass;
      };
      resources = resources "500m" "2Gi";
      podSecurityContext.fsGroup = 1000;
      nodeSelector."kubernetes.io/arch" = "amd64";
    };
  };

  kubernetes.helm.releases.qbittorrent = {
    chart = kubenix.lib.helm.fetch {
      chart = "oci://ghcr.io/bjw-s/helm/app-template";
      version = "3.5.1";
      sha256 = "sha256-9yQf0g3Dk7xLm2ZpT6u8R1cVbN4wE5sJhK0aGiYoPq4=";
    };
    values = {
      controllers.main = {
        containers = {
          main = {
            image = {
              repository = "ghcr.io/onedr0p/qbittorrent";
              tag = "5.0.2@sha256:c019af23966ebafcaf1713d4553bc043246858b711a7d57d8bee358a89990a3e";
            };
            env = commonEnv // {
              QBITTORRENT__PORT = "8080";
              QBITTORRENT__BT_PORT = toString 50413;
            };
            probes = {
              liveness.enabled = true;
              readiness.enabled = true;
              startup = {
                enabled = true;
                spec = { failureThreshold = 30; periodSeconds = 10; };
              };
            };
            resources = resources "100m" "1Gi";
          };
          qbitportforward = {
            image = {
              repository = "docker.io/mjmeli/qbittorrent-port-forward-gluetun-server";
              tag = imageTag;
            };
            env = {
              QBT_USERNAME = "admin";
              QBT_ADDR = "http://localhost:8080";
              GTN_ADDR = "http://localhost:8000";
            };
          };
          gluetun = {
            image.repository = "qmcgaw/gluetun";
            image.tag = "v3.39.1";
            securityContext.capabilities.add = [ "NET_ADMIN" ];
            env = {
              VPN_SERVICE_PROVIDER = "protonvpn";
              VPN_PORT_FORWARDING = "on";
              FIREWALL_INPUT_PORTS = lib.concatStringsSep "," [ "8080" "8000" ];
            };
          };
        };
        pod.securityContext = {
          runAsUser = 1000;
          runAsGroup = 1000;
          fsGroup = 1000;
          fsGroupChangePolicy = "OnRootMismatch";
        };
      };
      service.main.ports.http.port = 8080;
      ingress.main = mkIngress "qbittorrent" 8080;
      persistence = {
        config = { existingClaim = "qbittorrent-config"; };
        downloads = {
          type = "nfs";
          server = "nas.${domain}";
          path = "/export/downloads";
          globalMounts = [ { path = "/downloads"; } ];
        };
      };
    };
  };

  kubernetes.resources.cronJobs.backup = {
    metadata = { name = "backup"; inherit namespace; };
    spec = {
      schedule = "0 3 * * *";
      concurrencyPolicy = "Forbid";
      successfulJobsHistoryLimit = 3;
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [
          {
            name = "backup";
            image = toolboxImage;
            command = [ "/bin/sh" "-c" ];
            args = [
              ''
                set -euo pipefail
                # dump every database, then ship it off-site
                for db in ${lib.concatStringsSep " " [ "jellyfin" "sonarr" "radarr" ]}; do
                  pg_dump -h postgres.${namespace}.svc "$db" | zstd > "/backup/$db.sql.zst"
                done
                rclone sync /backup remote:homelab/''${HOSTNAME:-backup}
              ''
            ];
            envFrom = [ { secretRef.name = "backup-credentials"; } ];
            volumeMounts = [ { name = "backup"; mountPath = "/backup"; } ];
          }
        ];
        volumes = [ { name = "backup"; emptyDir = { }; } ];
      };
    };
  };

  kubernetes.resources.deployments.agent = {
    metadata.labels = { app = agentApp; tier = "ops"; };
    spec = {
      replicas = if config.kubernetes.namespace == "media" then 1 else 0;
      selector.matchLabels.app = agentApp;
      template = {
        metadata.labels.app = agentApp;
        spec.containers.agent = {
          image = "ghcr.io/example/${agentApp}:v2.3.4";
          imagePullPolicy = "Always";
          ports = [ { containerPort = 9100; name = "metrics"; } ];
          env = lib.mapAttrsToList (name: value: { inherit name value; }) (commonEnv // {
            LOG_LEVEL = "info";
            SCRAPE_INTERVAL = "30s";
          });
          args = [ "--listen=:9100" "--storage=${storageClass}" ];
          readinessProbe.httpGet = { path = "/healthz"; port = "metrics"; };
        };
      };
    };
  };

  kubernetes.resources.configMaps.agent-config.data = {
    "config.yaml" = builtins.toJSON {
      scrape = { interval = "30s"; timeout = "10s"; };
      targets = map (n: "${n}.${namespace}.svc:9100") [ "jellyfin" "qbittorrent" ];
      retention = 7 * 24;
      debug = false;
    };
    "busybox.yaml" = ''
      image: busybox:1.37
      # pinner:ignore-next — mirrored by hand
      command: ["sleep", "infinity"]
    '';
  };
}
