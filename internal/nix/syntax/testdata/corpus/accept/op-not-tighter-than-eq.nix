let a = true; b = false; in !a == b
