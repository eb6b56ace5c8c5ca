let a = 1; b = 1; c = true; in a == b == c
