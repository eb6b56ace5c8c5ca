# The identifier regex takes `a-`, so `a->b` is `a- > b`, not an implication.
let a- = 2; b = 1; in a->b
