let s = { }; n = "a"; in { inherit (s) ${n}; }
