# Syntactically fine, but nix-instantiate --parse also resolves variables.
x
