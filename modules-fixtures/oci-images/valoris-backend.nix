# valoris-backend: Valoris Rails backend and worker
# Fixture image for pinner's build tests: a docker-archive .tar.gz output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archiveGz {
  name = "valoris-backend";
  tag = "latest";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/valoris-backend" = "#!/bin/sh\necho valoris-backend latest\n";
      "share/valoris-backend/README" = "Valoris Rails backend and worker\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/valoris-backend" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "valoris-backend"; };
  };
}
