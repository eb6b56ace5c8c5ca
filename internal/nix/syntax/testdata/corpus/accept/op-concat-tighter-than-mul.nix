# `++` binds tighter than `*`: (l ++ l) * n parses, evaluation would fail.
let l = [ 1 ]; n = 2; in l ++ l * n
