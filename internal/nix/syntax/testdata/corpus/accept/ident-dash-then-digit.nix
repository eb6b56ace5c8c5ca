# `a-1` is one identifier.
let a-1 = 5; in a-1
