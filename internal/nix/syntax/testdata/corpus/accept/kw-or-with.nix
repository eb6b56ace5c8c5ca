with { or = 1; }; let f = x: x; in f or
