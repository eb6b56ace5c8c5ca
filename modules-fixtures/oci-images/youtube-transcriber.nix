# youtube-transcriber: YouTube video transcription service
# Fixture image for pinner's build tests: a docker-archive .tar (docker save-like) output.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  images = import ./lib { inherit system; };
in
images.archive {
  name = "youtube-transcriber";
  tag = "0.0.1";
  layers = [
    {
      "etc/os-release" = "ID=pinner-fixture\n";
    }
    {
      "bin/youtube-transcriber" = "#!/bin/sh\necho youtube-transcriber 0.0.1\n";
      "share/youtube-transcriber/README" = "YouTube video transcription service\n";
    }
  ];
  config = {
    Entrypoint = [ "/bin/youtube-transcriber" ];
    Env = [ "PATH=/bin" ];
    Labels = { "org.opencontainers.image.title" = "youtube-transcriber"; };
  };
}
