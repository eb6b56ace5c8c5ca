# valoris-frontend: Valoris frontend (nginx)
# Fixture image for pinner's build tests: a OCI image layout directory output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.ociLayout {
  name = "valoris-frontend";
  tag = "latest";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/valoris-frontend" = "#!/bin/sh\necho valoris-frontend latest\n";
      "share/valoris-frontend/README" = "Valoris frontend (nginx)\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/valoris-frontend" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "valoris-frontend"; };
  };
}
