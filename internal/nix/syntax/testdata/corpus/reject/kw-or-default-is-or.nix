let s = { }; or = 1; in s.a or or
