let n = "a"; in { ${n} = 1; a = 2; }
