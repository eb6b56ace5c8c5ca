<nixpkgs/lib>
