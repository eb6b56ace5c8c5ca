# `${"a"}` is a static name, so it is allowed in let.
let ${"a"} = 1; in a
