{ config, pkgs, lib, ... }:
{
  home.username = "dev";
  home.homeDirectory = "/home/dev";
  home.stateVersion = "24.05";

  home.packages = with pkgs; [
    ripgrep
    fd
    (writeShellScriptBin "k" ''exec ${kubectl}/bin/kubectl "$@"'')
  ];

  programs.git = {
    enable = true;
    userName = "Dev";
    extraConfig = {
      init.defaultBranch = "main";
      url."git@github.com:".insteadOf = "https://github.com/";
    };
  };

  programs.bash.initExtra = ''
    export PATH="$HOME/bin:$PATH"
    PS1='\u@\h:\w\$ '
    if [ -f ~/.bashrc.local ]; then . ~/.bashrc.local; fi
  '';

  xdg.configFile."pinner/config.toml".text = ''
    [registry]
    mirror = "https://mirror.example.org"
  '';

  home.file.".ssh/config".source = ./ssh-config;
  home.activation.hello = lib.hm.dag.entryAfter [ "writeBoundary" ] ''
    $DRY_RUN_CMD echo hello
  '';
}
