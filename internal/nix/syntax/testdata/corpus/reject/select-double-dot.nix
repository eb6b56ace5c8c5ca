let s = { }; in s..a
