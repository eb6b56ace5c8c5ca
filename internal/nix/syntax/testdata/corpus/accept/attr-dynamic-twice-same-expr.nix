# Dynamic names are only checked at evaluation time.
let n = "a"; in { ${n} = 1; ${n} = 2; }
