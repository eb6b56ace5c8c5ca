let f = x: x; in f { a = 1; }
