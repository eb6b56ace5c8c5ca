# openclaw-nix: AI assistant platform (Matrix/WhatsApp gateway)
# Fixture image for pinner's build tests: a streamLayeredImage-like executable output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.stream {
  name = "openclaw-nix";
  tag = "latest";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/openclaw-nix" = "#!/bin/sh\necho openclaw-nix latest\n";
      "share/openclaw-nix/README" = "AI assistant platform (Matrix/WhatsApp gateway)\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/openclaw-nix" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "openclaw-nix"; };
  };
}
