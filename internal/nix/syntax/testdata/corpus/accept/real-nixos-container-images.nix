{ config, lib, pkgs, ... }:
let
  inherit (lib) mkIf mkOption types mapAttrs' nameValuePair;
  cfg = config.homelab.containers;
in
{
  options.homelab.containers = mkOption {
    type = types.attrsOf (types.submodule ({ name, ... }: {
      options = {
        image = mkOption { type = types.str; };
        ports = mkOption { type = types.listOf types.str; default = [ ]; };
        environment = mkOption { type = types.attrsOf types.str; default = { }; };
      };
    }));
    default = { };
  };

  config = mkIf (cfg != { }) {
    virtualisation.oci-containers.backend = "podman";
    virtualisation.oci-containers.containers = mapAttrs' (name: c: nameValuePair "hl-${name}" {
      inherit (c) image ports environment;
      extraOptions = [ "--pull=never" "--label=homelab.name=${name}" ];
    }) cfg;

    homelab.containers = {
      backup-toolbox = {
        image = "ghcr.io/example/backup-toolbox@sha256:08bda3ee3383b093cc0ed74d42ed9b167ecb92dd7c01e090a542d0a75dec8abb";
        environment.SCHEDULE = "0 3 * * *";
      };
      grafana = {
        image = "docker.io/grafana/grafana:11.1.0";
        ports = [ "127.0.0.1:3000:3000" ];
      };
    };
  };
}
