# Parentheses leave no trace in Nix's AST, so this still merges.
{ a = ({ b = 1; }); a.c = 2; }
