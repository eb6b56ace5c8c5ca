{ a = let in { b = 1; }; a.c = 2; }
