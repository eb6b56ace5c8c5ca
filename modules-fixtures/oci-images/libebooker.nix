# libebooker: E-book management service
# Fixture image for pinner's build tests: a OCI image layout directory output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.ociLayout {
  name = "libebooker";
  tag = "latest";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/libebooker" = "#!/bin/sh\necho libebooker latest\n";
      "share/libebooker/README" = "E-book management service\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/libebooker" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "libebooker"; };
  };
}
