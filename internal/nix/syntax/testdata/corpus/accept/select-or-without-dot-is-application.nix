# Without a `.attrpath`, `s or 2` is (s or) 2.
let s = x: y: x; or = 1; in s or 2
