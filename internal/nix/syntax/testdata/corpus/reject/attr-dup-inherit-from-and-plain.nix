let a = 1; s = { a = 2; }; in { inherit a; inherit (s) a; }
