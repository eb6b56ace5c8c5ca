{ config, lib, pkgs, ... }:

with lib;

let
  cfg = config.services.pinnerd;
  settingsFormat = pkgs.formats.yaml { };
  configFile = settingsFormat.generate "pinnerd.yaml" cfg.settings;
in
{
  options.services.pinnerd = {
    enable = mkEnableOption "the pinner daemon";

    package = mkOption {
      type = types.package;
      default = pkgs.pinner;
      defaultText = literalExpression "pkgs.pinner";
      description = ''
        The pinner package to use.
      '';
    };

    interval = mkOption {
      type = types.str;
      default = "daily";
      example = "hourly";
    };

    settings = mkOption {
      type = settingsFormat.type;
      default = { };
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      systemd.services.pinnerd = {
        description = "pinner daemon";
        wantedBy = [ "multi-user.target" ];
        after = [ "network-online.target" ];
        serviceConfig = {
          ExecStart = "${cfg.package}/bin/pinner serve --config ${configFile}";
          DynamicUser = true;
          StateDirectory = "pinnerd";
          Restart = "on-failure";
        };
      };
      systemd.timers.pinnerd = {
        wantedBy = [ "timers.target" ];
        timerConfig.OnCalendar = cfg.interval;
      };
    }
    (mkIf cfg.openFirewall {
      networking.firewall.allowedTCPPorts = [ 9090 ];
    })
  ]);

  meta.maintainers = [ ];
}
