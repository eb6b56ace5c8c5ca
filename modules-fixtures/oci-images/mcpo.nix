# mcpo: MCP (Model Context Protocol) orchestrator
# Fixture image for pinner's build tests: a docker-archive .tar output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archive {
  name = "mcpo";
  tag = "latest";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/mcpo" = "#!/bin/sh\necho mcpo latest\n";
      "share/mcpo/README" = "MCP (Model Context Protocol) orchestrator\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/mcpo" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "mcpo"; };
  };
}
