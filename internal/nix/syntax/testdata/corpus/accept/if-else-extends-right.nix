let a = true; b = 1; c = 2; in if a then b else c + 1
