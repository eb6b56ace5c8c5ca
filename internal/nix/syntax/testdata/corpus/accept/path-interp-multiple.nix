let x = "y"; z = "w"; in ./a/${x}-${z}/b${x}.nix
