let a = "a"; in { a = a; }.${a}
