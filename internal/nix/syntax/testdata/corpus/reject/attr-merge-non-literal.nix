let x = { }; in { a = x; a.c = 2; }
