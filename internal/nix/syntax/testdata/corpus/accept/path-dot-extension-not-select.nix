./a.nix.b
