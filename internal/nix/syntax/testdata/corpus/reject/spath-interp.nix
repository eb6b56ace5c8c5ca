<${"nixpkgs"}>
