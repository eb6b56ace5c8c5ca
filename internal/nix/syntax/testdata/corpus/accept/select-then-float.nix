# `.1` is a float, so this is (s.a) applied to 0.1.
let s = { }; in s.a.1
