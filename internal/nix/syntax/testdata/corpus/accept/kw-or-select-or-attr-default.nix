let s = { }; in s.or or 2
