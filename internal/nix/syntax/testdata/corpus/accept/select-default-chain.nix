let s = { }; in s.a.b or s.c or 3
