let s = { a = { }; }; in { inherit s.a; }
