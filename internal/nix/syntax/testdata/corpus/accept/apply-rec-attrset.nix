let f = x: x; in f rec { a = 1; }
