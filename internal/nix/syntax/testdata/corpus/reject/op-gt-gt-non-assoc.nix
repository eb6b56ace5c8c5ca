let a = 3; b = 2; c = 1; in a > b > c
