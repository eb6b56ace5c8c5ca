let x = "a"; in ${x}
