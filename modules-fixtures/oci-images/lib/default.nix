# Image builders for the fixture images: plain derivations that need neither
# nixpkgs nor the network. They produce the same kinds of output as
# nixpkgs' dockerTools, from the host's /bin/sh, tar, gzip and sha256sum:
#
#   archive    a docker-archive .tar (like `docker save`)
#   archiveGz  a docker-archive .tar.gz (like dockerTools.buildImage)
#   stream     an executable that writes a docker-archive to stdout
#              (like dockerTools.streamLayeredImage)
#   ociLayout  an OCI image layout directory
#
# `system` is the platform the IMAGE is for, not where it is built: every
# derivation builds on this machine (hostSystem), and only the architecture
# written into the image config follows `system`. That keeps a two-platform
# image buildable on one host without emulation; the layers hold text files
# only, so they are the same on every architecture.
#
# Every output is deterministic (fixed mtimes, sorted entries, numeric
# owner 0, gzip -n), so digests are reproducible.
{ system ? builtins.currentSystem or "x86_64-linux" }:
let
  # Pure (flake) evaluation has no currentSystem.
  hostSystem = builtins.currentSystem or "x86_64-linux";

  platforms = {
    "x86_64-linux" = { arch = "amd64"; variant = ""; };
    "aarch64-linux" = { arch = "arm64"; variant = ""; };
    "armv7l-linux" = { arch = "arm"; variant = "v7"; };
  };
  platform = platforms.${system} or (throw "oci-images: unsupported system ${system}");

  # A layer is an attribute set from a path inside the image to its text;
  # paths under bin/ are made executable.
  layerSpec = files:
    builtins.concatStringsSep "\n" (map
      (path:
        let mode = if builtins.substring 0 4 path == "bin/" then "0755" else "0644";
        in "${mode} ${path} ${builtins.toFile "layer-file" files.${path}}")
      (builtins.attrNames files));

  layerEnv = layers:
    builtins.listToAttrs (builtins.genList
      (i: { name = "layer${toString i}"; value = layerSpec (builtins.elemAt layers i); })
      (builtins.length layers));

  mk = format: drvName: { name, tag, layers, config ? { } }:
    derivation ({
      name = drvName name;
      system = hostSystem;
      builder = "/bin/sh";
      args = [ ./build-image.sh ];
      PATH = "/usr/bin:/bin";
      # Read by pinner from the .drv, as dockerTools sets them.
      imageName = name;
      imageTag = tag;
      imageArch = platform.arch;
      imageVariant = platform.variant;
      imageFormat = format;
      imageConfig = builtins.toJSON config;
      layerCount = toString (builtins.length layers);
    } // layerEnv layers);

  # The archive tree (manifest.json, config, layers) as a directory, for
  # stream's script to tar up at run time.
  tree = mk "tree" (n: "${n}-image-tree");
in
{
  inherit hostSystem platform;

  archive = mk "archive" (n: "docker-image-${n}.tar");

  archiveGz = mk "archive-gz" (n: "docker-image-${n}.tar.gz");

  ociLayout = mk "oci" (n: "${n}-oci-layout");

  stream = spec@{ name, tag, ... }:
    derivation {
      name = "stream-${name}";
      system = hostSystem;
      builder = "/bin/sh";
      args = [ ./make-stream.sh ];
      PATH = "/usr/bin:/bin";
      imageName = name;
      imageTag = tag;
      tree = tree spec;
    };
}
