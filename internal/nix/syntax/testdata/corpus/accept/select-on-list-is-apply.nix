let l = [ { a = 1; } ]; in (builtins.head l).a
