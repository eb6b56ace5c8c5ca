let x_'-y = 1; a-b' = 2; in x_'-y + a-b'
