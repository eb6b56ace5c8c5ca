{
  config,
  lib,
  ...
}:
let
  topConfig = config;
  moduleName = "chaoskube";
  toChaosArgs =
    args: lib.mapAttrsToList (n: v: if lib.stringLength v > 0 then "--${n}=${v}" else "--${n}") args;
in
{
  options.${moduleName} = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (
      lib.types.submodule (
        { name, config, ... }:
        {
          options = {
            enable = lib.mkEnableOption "chaoskube ${name}";
            name = lib.mkOption {
              type = lib.types.nonEmptyStr;
              default = name;
            };
            namespace = lib.mkOption {
              type = lib.types.nonEmptyStr;
              default = "kube-system";
            };
            version = lib.mkOption {
              type = lib.types.nonEmptyStr;
              default = "v0.33.0";
            };
            image = lib.mkOption {
              type = lib.types.str;
              default = "ghcr.io/linki/chaoskube:${config.version}";
              defaultText = lib.literalExpression ''"ghcr.io/linki/chaoskube:''${config.version}"'';
            };
            args = lib.mkOption {
              type = lib.types.attrsOf lib.types.str;
              default = { };
            };
            kubernetes = lib.mkOption {
              type = lib.types.anything;
              internal = true;
              default = { };
            };
          };

          config = lib.mkIf config.enable {
            kubernetes.resources.${config.namespace} = {
              ServiceAccount.${config.name} = { };
              Deployment.${config.name}.spec = {
                strategy.type = "Recreate";
                replicas = 1;
                selector.matchLabels.app = config.name;
                template = {
                  metadata.labels.app = config.name;
                  spec = {
                    serviceAccountName = config.name;
                    containers = lib.mkNamedList {
                      ${config.name} = {
                        inherit (config) image;
                        args = toChaosArgs config.args;
                      };
                    };
                  };
                };
              };
            };
          };
        }
      )
    );
  };

  config = {
    chaoskube.workers = {
      enable = true;
      args = {
        interval = "20m";
        labels = "chaos.quillhaven.net/victim=true";
        no-dry-run = "";
      };
    };
    chaoskube.pinned = {
      enable = false;
      image = "ghcr.io/linki/chaoskube:v0.32.0@sha256:d6b67495576920ba80fa9651542bf25aedf99dc3203a3b86c05e0e36910cb2cd";
    };

    kubernetes = lib.mkMerge (lib.mapAttrsToList (_: v: v.kubernetes) topConfig.${moduleName});
  };
}
