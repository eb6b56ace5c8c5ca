# Images for the nix2container tests, built with the real nix2container
# binary through plain derivations (no nixpkgs): n2c is the path of
# nix2container's recipe (n2c.nix), bin the binary.
#
# system (as pinner passes it) picks the image's architecture; every
# builder runs on the build host.
{ n2c, bin, system ? builtins.currentSystem, marker ? "" }:
let
  arch = { "x86_64-linux" = "amd64"; "aarch64-linux" = "arm64"; }.${system};
  buildSystem = builtins.currentSystem;
  lib = import n2c { nix2container = bin; inherit buildSystem; };
  sh = name: script: derivation {
    inherit name;
    system = buildSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" script ];
  };
  base = sh "base${marker}" ''
    mkdir -p $out/share/base $out/empty
    echo "a base layer" > $out/share/base/README
    printf 'x%.0s' $(seq 1 3000) > $out/share/base/long
  '';
  app = sh "app" ''
    mkdir -p $out/bin $out/etc/app $out/lib
    printf '#!/bin/sh\ncat ${base}/share/base/README\n' > $out/bin/app
    chmod 755 $out/bin/app
    ln -s app $out/bin/app-link
    ln -s ${base}/share/base $out/lib/base
    echo "key: value" > $out/etc/app/config.yaml
    touch $out/etc/app/empty
  '';
  root = sh "root" ''
    mkdir -p $out/etc $out/tmp
    echo "root:x:0:0::/root:/bin/sh" > $out/etc/passwd
    echo "app:x:1000:1000::/home/app:/bin/sh" >> $out/etc/passwd
  '';
  other = sh "other" ''
    mkdir -p $out/bin
    printf '#!/bin/sh\necho other\n' > $out/bin/other
    chmod 555 $out/bin/other
  '';
  baseLayer = lib.buildLayers { name = "base"; deps = [ base ]; };
  # A layer nix2container tars at build time into a file of its output
  # (layer-path), as for store paths that are not reproducible.
  tarredLayer = derivation {
    name = "tarred-layers";
    system = buildSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    graph = lib.closureGraph "tarred" [ other ];
    args = [ "-c" ''
      set -e
      mkdir -p $out
      ${bin} layers-from-non-reproducible-storepaths $out/layers.json $graph --tar-directory $out
    '' ];
  };
  # Several layers: a parent layer of its own, the app's closure split in
  # two, a copyToRoot with perms.
  appImage = lib.buildImage {
    name = "app";
    inherit arch;
    config = {
      Entrypoint = [ "${app}/bin/app" ];
      Env = [ "PATH=/bin" "A=<&>" ];
      Labels = { "org.example.z" = "last"; "org.example.a" = "first"; };
      ExposedPorts = { "8080/tcp" = { }; };
      User = "1000:1000";
    };
    layers = [
      baseLayer
      (lib.buildLayers { name = "app"; deps = [ app ]; layers = [ baseLayer ]; maxLayers = 2; })
      (lib.buildLayers {
        name = "root";
        copyToRoot = [ root ];
        layers = [ baseLayer ];
        perms = [
          { path = root; regex = "/tmp$"; mode = "1777"; }
          { path = root; regex = "/etc/passwd$"; mode = "0600"; uid = 1000; gid = 1000; uname = "app"; gname = "app"; }
        ];
      })
    ];
  };
in
{
  app = appImage;
  # Shares the base layer with app.
  other = lib.buildImage {
    name = "other";
    inherit arch;
    config = { Entrypoint = [ "${other}/bin/other" ]; };
    layers = [
      baseLayer
      (lib.buildLayers { name = "other"; deps = [ other ]; layers = [ baseLayer ]; })
    ];
  };
  # One layer from a layer-path.
  tarred = lib.buildImage {
    name = "tarred";
    inherit arch;
    config = { Entrypoint = [ "${other}/bin/other" ]; };
    layers = [ tarredLayer ];
  };
  # app's image.json with the store paths of its second layer replaced by
  # those of its first: the layer no longer tars to its digest.
  tampered = sh "image-tampered.json" "jq '.layers[1].paths = .layers[0].paths' ${appImage} > $out";
  # app's image.json naming store paths that do not exist: publishable only
  # where the destination has every layer already.
  vanished = sh "image-vanished.json" "jq '.layers[].paths = [{\"path\": \"/nonexistent\"}]' ${appImage} > $out";
}
