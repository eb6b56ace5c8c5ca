let let = 1; in 1
