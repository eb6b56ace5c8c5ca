# backup-toolbox: General-purpose backup utilities (rclone, mc, zstd, psql)
# Fixture image for pinner's build tests: a docker-archive .tar.gz (dockerTools.buildImage-like)
# built per platform: pass --argstr system aarch64-linux for the arm64 image
# (the build itself always runs on this host; see lib/default.nix).
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archiveGz {
  name = "backup-toolbox";
  tag = "1.0.0";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/backup-toolbox" = "#!/bin/sh\necho backup-toolbox 1.0.0\n";
      "share/backup-toolbox/README" = "General-purpose backup utilities (rclone, mc, zstd, psql)\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/backup-toolbox" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "backup-toolbox"; };
  };
}
