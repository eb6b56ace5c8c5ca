# postgresql-vchord-bitnami: Bitnami PostgreSQL with the vchord extension
# Fixture image for pinner's build tests: a streamLayeredImage-like executable output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.stream {
  name = "postgresql-vchord-bitnami";
  tag = "38c40fefe0c58cff6622de77f787634320e1ae5e";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/postgresql-vchord-bitnami" = "#!/bin/sh\necho postgresql-vchord-bitnami 38c40fefe0c58cff6622de77f787634320e1ae5e\n";
      "share/postgresql-vchord-bitnami/README" = "Bitnami PostgreSQL with the vchord extension\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/postgresql-vchord-bitnami" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "postgresql-vchord-bitnami"; };
  };
}
