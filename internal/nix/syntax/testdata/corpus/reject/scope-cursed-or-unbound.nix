# No `.`, so `or` is the variable `or`, which is unbound here.
./a.nix or 1
