let iff = 1; letter = 2; inherited = 3; orx = 4; in iff + letter + inherited + orx
