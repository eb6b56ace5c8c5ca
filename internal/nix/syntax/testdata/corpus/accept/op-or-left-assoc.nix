let a = true; b = false; c = true; in a || b || c
