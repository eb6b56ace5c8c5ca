let f = x: x; in f with { }; 1
