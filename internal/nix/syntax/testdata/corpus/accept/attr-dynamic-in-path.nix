let n = "b"; in { a.${n}.c = 1; a.d = 2; }
