<nixpkgs//lib>
