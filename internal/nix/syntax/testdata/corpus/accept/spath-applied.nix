# `a<b>` is a applied to the search path <b>.
let a = x: x; in a<b>
