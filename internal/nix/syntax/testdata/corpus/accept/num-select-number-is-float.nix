# `s.1` is s applied to the float .1
let s = { }; in s.1
