{ config, lib, ... }:

with lib;

let
  cfg = config.platform.databases;
  pgMajor = "17";
in
{
  options.platform.databases = mkOption {
    default = { };
    type = types.attrsOf (types.submodule ({ name, ... }: {
      options = {
        enable = mkEnableOption "this database";
        version = mkOption {
          type = types.str;
          default = "16.4";
          description = "PostgreSQL version of the stock operand image.";
        };
        image = mkOption {
          type = types.str;
          default = "";
          description = "Operand image; empty means the stock CNPG image for `version`.";
        };
        instances = mkOption {
          type = types.int;
          default = 2;
        };
      };
    }));
  };

  config.applications.databases.resources = {
    clusters = mapAttrs (name: db: {
      spec = {
        inherit (db) instances;
        imageName =
          if db.image != ""
          then db.image
          else "ghcr.io/cloudnative-pg/postgresql:${db.version}";
        storage.size = "10Gi";
        bootstrap.initdb = { database = name; owner = name; };
      };
    }) (filterAttrs (_: db: db.enable) cfg);
  };

  # The shared reporting cluster tracks the newest major explicitly.
  config.applications.reporting.resources.clusters.reporting.spec = {
    instances = 1;
    imageName = "ghcr.io/cloudnative-pg/postgresql:${pgMajor}.2";
    storage.size = "30Gi";
  };
}
