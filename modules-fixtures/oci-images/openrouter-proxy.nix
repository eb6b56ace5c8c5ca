# openrouter-proxy: Proxy service for the OpenRouter API
# Fixture image for pinner's build tests: a streamLayeredImage-like executable output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.stream {
  name = "openrouter-proxy";
  tag = "v0.0.5";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/openrouter-proxy" = "#!/bin/sh\necho openrouter-proxy v0.0.5\n";
      "share/openrouter-proxy/README" = "Proxy service for the OpenRouter API\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/openrouter-proxy" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "openrouter-proxy"; };
  };
}
