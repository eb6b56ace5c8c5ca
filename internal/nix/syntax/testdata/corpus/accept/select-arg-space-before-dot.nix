# `f s .a` still selects from s: (f (s.a)).
let f = x: x; s = { a = 1; }; in f s .a
