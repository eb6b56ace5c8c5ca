let a = { x = 1; }; b = { y = 2; }; c = { z = 3; }; in a // b // c
