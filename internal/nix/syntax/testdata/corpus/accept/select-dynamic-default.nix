let s = { }; n = "a"; in s.${n} or 2
