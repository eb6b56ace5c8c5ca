# The nix2container push benchmark's image: `layers` store paths of
# `layerMiB` MiB of deterministic pseudo-random bytes each (AES-128-CTR over
# zeros, a key per path: incompressible, as binaries mostly are), one layer
# per path, as nix2container's buildImage describes them (image.json).
{ n2c, bin, layers ? "4", layerMiB ? "256", system ? builtins.currentSystem }:
let
  buildSystem = builtins.currentSystem;
  lib = import n2c { nix2container = bin; inherit buildSystem; };
  n = builtins.fromJSON layers;
  blob = i: derivation {
    name = "pinner-bench-blob-${toString i}";
    system = buildSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    key = builtins.substring 0 32 (builtins.hashString "sha256" (toString i));
    bytes = toString (1048576 * builtins.fromJSON layerMiB);
    args = [ "-c" ''
      set -e
      mkdir -p $out/share
      openssl enc -aes-128-ctr -K "$key" -iv 00000000000000000000000000000000 -nosalt </dev/zero 2>/dev/null |
        head -c "$bytes" > $out/share/blob.bin
    '' ];
  };
  blobs = builtins.genList blob n;
in
lib.buildImage {
  name = "pinner-bench";
  arch = "amd64";
  config = { Cmd = [ "/bin/true" ]; };
  layers = [ (lib.buildLayers { name = "bench"; deps = blobs; maxLayers = n; }) ];
}
