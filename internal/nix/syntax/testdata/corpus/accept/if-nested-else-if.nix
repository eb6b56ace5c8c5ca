let x = 2; in if x == 1 then "a" else if x == 2 then "b" else "c"
