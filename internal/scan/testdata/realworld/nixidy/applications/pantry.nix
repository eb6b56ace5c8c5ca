{ config, lib, ... }:
with lib;
let
  cfg = config.services.pantry;
in
{
  options.services.pantry = {
    enable = mkEnableOption "Pantry recipe manager";

    image = mkOption {
      type = types.str;
      default = "docker.io/tandoorrecipes/recipes:1.5.20";
    };

    imageVersion = mkOption {
      description = mdDoc "Version of the nginx front container";
      type = types.str;
      default = "1.27.3-alpine";
    };

    postgresImage = mkOption {
      type = types.str;
      default = "pgvector/pgvector:pg17";
    };

    replicas = mkOption {
      type = types.int;
      default = 1;
    };
  };

  config = mkIf cfg.enable {
    applications.pantry = {
      namespace = "kitchen";
      createNamespace = true;

      helm.releases.pantry-db = {
        chart = lib.helm.downloadHelmChart {
          repo = "oci://registry-1.docker.io/bitnamicharts";
          chart = "postgresql";
          version = "16.4.2";
          chartHash = "sha256-JygEZ1j4750nBTEVopikWSJR7aLgxrHErxBAM7jBqtk=";
        };
        values =
          let
            # Split the option back into the chart's registry/repository/tag.
            parts = lib.splitString "/" cfg.postgresImage;
            registry = if lib.length parts > 2 then lib.head parts else "docker.io";
            nameTag = lib.splitString ":" (lib.last parts);
          in
          {
            image = {
              inherit registry;
              repository = lib.concatStringsSep "/" (lib.init parts ++ [ (lib.head nameTag) ]);
              tag = lib.last nameTag;
            };
            auth.database = "pantry";
            primary.persistence.size = "8Gi";
          };
      };

      resources.deployments.pantry.spec = {
        inherit (cfg) replicas;
        selector.matchLabels.app = "pantry";
        template.metadata.labels.app = "pantry";
        template.spec.containers = {
          pantry = {
            image = cfg.image;
            env = [
              {
                name = "DB_ENGINE";
                value = "django.db.backends.postgresql";
              }
              {
                name = "POSTGRES_HOST";
                value = "pantry-db-postgresql:5432";
              }
            ];
          };
          nginx = {
            image = "nginx:${cfg.imageVersion}";
            ports = [ { containerPort = 80; } ];
          };
        };
      };
    };
  };
}
