let f = x: y: x; in f (x: x) 1
