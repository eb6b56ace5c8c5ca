# `[ f 1 ]` is a two-element list.
let f = x: x; in [ f 1 ]
