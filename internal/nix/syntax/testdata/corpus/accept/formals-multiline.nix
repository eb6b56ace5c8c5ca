{
  lib,
  pkgs ? import <nixpkgs> { },
  config,
  ...
}:
lib
