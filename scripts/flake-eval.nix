# Evaluates flake.nix's outputs against a stand-in for nixpkgs (no nixpkgs
# is needed, nothing is built) and returns what each output would build,
# so `make lint` catches evaluation errors (a typo, infinite recursion, a
# missing system) and not only syntax errors:
#
#   nix-instantiate --eval --strict --json scripts/flake-eval.nix
let
  flake = import ../flake.nix;
  systems = [ "x86_64-linux" "aarch64-linux" ];
  genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
  drv = attrs: attrs // {
    type = "derivation";
    outPath = "/nix/store/00000000000000000000000000000000-${attrs.pname or attrs.name or "stub"}";
    overrideAttrs = f: drv (attrs // f attrs);
  };
  pkgsFor = system: {
    stdenv.hostPlatform.system = system;
    lib.platforms.linux = systems;
    buildGoModule = drv;
    mkShell = attrs: drv (attrs // { name = "shell"; });
    go = drv { pname = "go"; };
    nix = drv { pname = "nix"; };
    skopeo = drv { pname = "skopeo"; };
    docker-distribution = drv { pname = "docker-distribution"; };
    gnumake = drv { pname = "gnumake"; };
  };
  nixpkgs = {
    lib.genAttrs = genAttrs;
    legacyPackages = genAttrs systems pkgsFor;
  };
  self = outputs // { shortRev = "0000000"; };
  outputs = flake.outputs { inherit self nixpkgs; };
  show = d: { inherit (d) pname version vendorHash subPackages doCheck; };
in
assert builtins.attrNames flake.inputs == [ "nixpkgs" ];
genAttrs systems (system: {
  package = show outputs.packages.${system}.default;
  app = outputs.apps.${system}.default;
  check = show outputs.checks.${system}.tests;
  shell = map (p: p.pname) outputs.devShells.${system}.default.packages;
})
