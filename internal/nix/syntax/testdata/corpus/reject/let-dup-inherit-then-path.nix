let s = { }; in let inherit (s) a; a.b = 1; in a
