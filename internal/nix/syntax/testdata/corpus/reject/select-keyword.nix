let s = { }; in s.if
