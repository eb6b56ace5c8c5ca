# The push benchmark's image (see bench-image.sh): a docker-archive of
# `layers` layers of `layerMiB` MiB of deterministic pseudo-random bytes.
{ layers ? "4", layerMiB ? "256", system ? builtins.currentSystem }:
derivation {
  name = "docker-image-pinner-bench.tar";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ ./bench-image.sh ];
  PATH = "/usr/bin:/bin";
  imageName = "pinner-bench";
  imageTag = "1";
  inherit layers;
  layerBytes = toString (1048576 * builtins.fromJSON layerMiB);
}
