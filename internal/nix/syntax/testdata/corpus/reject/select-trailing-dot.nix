let s = { }; in s.
