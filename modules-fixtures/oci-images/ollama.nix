# ollama: Ollama LLM runtime with AMD ROCm support
# Fixture image for pinner's build tests: a docker-archive .tar.gz output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archiveGz {
  name = "ollama";
  tag = "0.12.6-1-g7f551c4-dirty-rocm";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/ollama" = "#!/bin/sh\necho ollama 0.12.6-1-g7f551c4-dirty-rocm\n";
      "share/ollama/README" = "Ollama LLM runtime with AMD ROCm support\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/ollama" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "ollama"; };
  };
}
