let x = "x"; y = "y"; in ./a/${x}${y}
