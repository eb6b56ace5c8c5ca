{ pkgs ? import <nixpkgs> { config = { }; overlays = [ ]; }
, system ? builtins.currentSystem
}:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  fetch = name: builtins.fetchTarball {
    inherit (sources.${name}) url sha256;
  };
in
rec {
  pinner = pkgs.callPackage ./package.nix { };
  shell = pkgs.mkShell { inputsFrom = [ pinner ]; };
  docs = pkgs.runCommand "pinner-docs" { } ''
    mkdir -p $out
    cp ${./README.md} $out/README.md
  '';
  tests = builtins.mapAttrs (n: v: v) {
    unit = pinner.overrideAttrs (_: { doCheck = true; });
  };
  niv = fetch "niv";
}
