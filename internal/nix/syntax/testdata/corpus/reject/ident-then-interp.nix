let a = 1; x = "x"; in a${x}
