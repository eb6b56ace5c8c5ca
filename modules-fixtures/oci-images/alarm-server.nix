# alarm-server: Alarm/notification server
# Fixture image for pinner's build tests: a docker-archive .tar.gz output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archiveGz {
  name = "alarm-server";
  tag = "v0.2.3";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/alarm-server" = "#!/bin/sh\necho alarm-server v0.2.3\n";
      "share/alarm-server/README" = "Alarm/notification server\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/alarm-server" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "alarm-server"; };
  };
}
