# `1.e` is the float 1. applied to e.
let e = 1; in 1.e
