let s = { }; n = { b = 1; }; in s.a or n.b
