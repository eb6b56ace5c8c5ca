# `!` sits below `+`: this is !(a + b), not (!a) + b.
let a = true; b = false; in !a + b
