# "${"a"}" is a string with an interpolation, so Nix treats it as dynamic.
{ "${"a"}" = 1; a = 2; }
