# `f or` applies f to the variable `or`.
let f = x: x; or = 1; in f or
