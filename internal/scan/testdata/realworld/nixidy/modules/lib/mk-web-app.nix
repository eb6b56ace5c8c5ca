{ lib, ... }:
let
  # Small helper: one Deployment + Service per web app, with an optional
  # metrics exporter next to the main container.
  mkWebApp =
    {
      name,
      image,
      port ? 8080,
      env ? { },
      sidecarImage ? "docker.io/library/busybox:1.37",
      exporterImage ? null,
    }:
    {
      applications.${name} = {
        namespace = name;
        createNamespace = true;
        resources.deployments.${name}.spec = {
          selector.matchLabels."app.kubernetes.io/name" = name;
          template.metadata.labels."app.kubernetes.io/name" = name;
          template.spec.containers =
            {
              ${name} = {
                inherit image;
                ports = [ { containerPort = port; } ];
                env = lib.mapAttrsToList (n: v: {
                  name = n;
                  value = v;
                }) env;
              };
              log-tail = {
                image = sidecarImage;
                command = [ "sh" "-c" "tail -F /var/log/app/*.log" ];
              };
            }
            // lib.optionalAttrs (exporterImage != null) {
              exporter.image = exporterImage;
            };
        };
        resources.services.${name}.spec.ports = [
          {
            port = 80;
            targetPort = port;
          }
        ];
      };
    };

  mkCronJob = image: schedule: {
    applications.maintenance.resources.cronJobs."job-${toString (lib.stringLength schedule)}".spec = {
      inherit schedule;
      jobTemplate.spec.template.spec = {
        restartPolicy = "OnFailure";
        containers = [
          {
            name = "task";
            inherit image;
          }
        ];
      };
    };
  };
in
{
  imports = [
    (mkWebApp {
      name = "status-page";
      image = "ghcr.io/quillhaven/status-page:1.4.0";
      env.UPSTREAM_CHECK = "https://ledger.quillhaven.net/healthz";
    })
    (mkWebApp {
      name = "wiki";
      image = "docker.io/requarks/wiki:2.5.306";
      exporterImage = "quay.io/prometheus/blackbox-exporter:v0.26.0";
      port = 3000;
      env = {
        DB_TYPE = "postgres";
        DB_HOST = "wiki-db-rw.wiki.svc";
        DB_PORT = "5432";
      };
    })
    (mkCronJob "ghcr.io/quillhaven/db-vacuum:0.3.1@sha256:1ac36da92680f74f187e399e0b1e5118407517bc9e85b550c10689f07f00eddc" "0 4 * * *")
    (mkCronJob "postgres:17-alpine" "30 4 * * 0")
  ];
}
