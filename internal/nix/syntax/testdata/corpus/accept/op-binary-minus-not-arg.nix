# `f -1` is subtraction, not application to -1.
let f = 2; in f -1
