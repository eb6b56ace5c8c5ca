let s = { a = 1; }; in let a = 1; inherit (s) a; in a
