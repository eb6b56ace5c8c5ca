{
  description = "pinner example flake";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    flake-utils.url = "github:numtide/flake-utils";
    kubenix = {
      url = "github:hall/kubenix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, flake-utils, kubenix, ... }@inputs:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs { inherit system; overlays = [ self.overlays.default ]; };
        inherit (pkgs) lib;
      in
      {
        packages.default = pkgs.callPackage ./package.nix { };
        packages.manifests = (kubenix.evalModules.${system} {
          module = { kubenix, ... }: {
            imports = [ kubenix.modules.k8s ./k8s ];
          };
        }).config.kubernetes.result;
        devShells.default = pkgs.mkShell {
          packages = with pkgs; [ go_1_22 gopls kubectl ];
          shellHook = ''
            export GOFLAGS=-mod=mod
            echo "dev shell for ${system}"
          '';
        };
        checks = lib.optionalAttrs (system == "x86_64-linux") {
          build = self.packages.${system}.default;
        };
      }) // {
      overlays.default = final: prev: {
        pinner = final.callPackage ./package.nix { };
      };
    };
}
