let f = a: b: c: a; in f 1 2 3
