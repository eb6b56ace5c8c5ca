let s = { }; in { a.b = 1; inherit (s) a; }
