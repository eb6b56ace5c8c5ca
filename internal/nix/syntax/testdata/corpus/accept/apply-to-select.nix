let f = x: x; s = { a = { b = 1; }; }; in f s.a.b
