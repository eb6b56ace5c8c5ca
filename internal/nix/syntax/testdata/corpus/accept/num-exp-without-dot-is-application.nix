# `1e3` is 1 applied to the variable e3 (an int cannot carry an exponent).
let e3 = 3; in 1e3
