{
  pkgs ? import <nixpkgs> { },
  stage ? "full",
}:
let
  inherit (pkgs) lib dockerTools nix2container;
  sources = import ./npins;
  easykubenix = import sources.easykubenix;

  # Base layers, pulled once and reused by the images built below.
  cacheBase = dockerTools.pullImage {
    imageName = "docker.io/library/debian";
    imageDigest = "sha256:2726659e36243f03400991190a5e6ee7ca09140e121a09c35507dd50d4354bed";
    hash = "sha256-A+bohKKfUru3z4Gsf5Jj1u2QGMDWpEtVKQgi476ydFg=";
    finalImageTag = "bookworm-slim";
  };
  pythonBase = dockerTools.pullImage {
    imageName = "docker.io/library/python";
    imageDigest = "sha256:ebb9c8ef0894ef43fc23d0bff617c88f3d255650d530f00210e788ba4ea53473";
    hash = "sha256-3egNCcDJ/N4ySzy3MWxhKwPjnS2B8CBiFjGyYXmUanY=";
    finalImageTag = "3.12-slim";
  };
  distroless = nix2container.pullImage {
    imageName = "gcr.io/distroless/python3-debian12";
    imageDigest = "sha256:3a5f4f8b48364a6a6752295b353e7c8dec6ac5f518122e0eedd907f1548cbd22";
    arch = "amd64";
    sha256 = "sha256-lK7j9VnT7paBqa7E0SNBTqHtlvvaaf2GXSEo0xwkt5Q=";
  };

  # Controller that keeps floating IPs in sync, packaged from its own repo.
  ipam-sync = pkgs.python3Packages.buildPythonApplication rec {
    pname = "ipam-sync";
    version = "0.3.2";
    pyproject = true;
    src = pkgs.fetchFromGitHub {
      owner = "quillhaven";
      repo = "ipam-sync";
      tag = "v${version}";
      hash = "sha256-DAO059y3UVEPsHayr2Xm5Ax8Mo4wKpWYY3ICJno/aok=";
    };
    build-system = [ pkgs.python3Packages.hatchling ];
    meta.homepage = "https://github.com/quillhaven/ipam-sync";
  };

  cacheImage = dockerTools.buildLayeredImage {
    name = "quay.io/quillhaven/nix-cache";
    tag = "0.4.0";
    fromImage = cacheBase;
    contents = [ pkgs.harmonia pkgs.dinit ];
  };

  # What the DaemonSet references; the tag is only known after the build.
  imageRef = "quay.io/quillhaven/${cacheImage.imageName}:${cacheImage.imageTag}";
in
easykubenix {
  inherit pkgs;
  specialArgs = { inherit cacheImage ipam-sync pythonBase distroless; };
  modules = [
    ./modules/keycloak.nix
    ./modules/external-dns.nix
    ./modules/headlamp.nix
    ./modules/chaoskube.nix
    ./modules/nix-cache.nix
    ./modules/monitoring.nix
    ./modules/agent-gateway.nix
    ./modules/cilium.nix
    ./modules/coredns.nix
    ./stages.nix
    {
      options = {
        stage = lib.mkOption {
          type = lib.types.enum [ "capi" "full" ];
          default = "full";
        };
        cluster = {
          domain = lib.mkOption {
            type = lib.types.str;
            default = "k8s.quillhaven.net";
          };
          # Shared by every workload that runs a binary straight out of /nix/store.
          scratchImage = lib.mkOption {
            type = lib.types.str;
            default = "quay.io/nix-csi/scratch:1.0.1";
            description = "Minimal image whose PATH points at /nix/var/result/bin";
          };
          pauseImage = lib.mkOption {
            type = lib.types.str;
            default = "registry.k8s.io/pause:3.10";
          };
        };
      };

      config = {
        kluctl.discriminator = "quillhaven-${stage}";
        inherit stage;
        nix-cache.image = imageRef;
        kubernetes.apiMappings = {
          Certificate = "cert-manager.io/v1";
          ClusterIssuer = "cert-manager.io/v1";
          HTTPRoute = "gateway.networking.k8s.io/v1";
        };
        kubernetes.namespacedMappings = {
          Certificate = true;
          ClusterIssuer = false;
          HTTPRoute = true;
        };
      };
    }
  ];
}
