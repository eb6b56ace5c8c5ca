let s = { }; in { inherit (s) a; a.b = 1; }
