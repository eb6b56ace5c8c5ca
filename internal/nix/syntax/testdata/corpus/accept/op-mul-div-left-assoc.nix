let a = 8; b = 2; c = 4; in a * b / c * a / b
