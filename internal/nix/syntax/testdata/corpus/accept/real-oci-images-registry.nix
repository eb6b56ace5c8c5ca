{ pkgs, lib, ... }:
let
  mkImage = { name, tag, digest, ... }@args: {
    inherit name tag digest;
    ref = "${name}:${tag}@${digest}";
    pulled = pkgs.dockerTools.pullImage {
      imageName = name;
      imageDigest = digest;
      finalImageTag = tag;
      sha256 = args.sha256 or lib.fakeSha256;
    };
  };
  images = {
    postgres = mkImage {
      name = "docker.io/library/postgres";
      tag = "16.3";
      digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    };
    "redis-cache" = mkImage {
      name = "docker.io/library/redis";
      tag = "7.2";
      digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
      sha256 = "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
    };
  };
in
images // {
  all = lib.attrValues images;
  refs = map (i: i.ref) (lib.attrValues images);
  hasPostgres = images ? postgres;
  cacheTag = images."redis-cache".tag or "latest";
}
