# The default is an expr_select, so `f 1` is applied to the result: (s.a or f) 1.
let s = { }; f = x: x; in s.a or f 1
