let s = { a = 1; }; in [ s.a s.b or 2 s.${"a"} ]
