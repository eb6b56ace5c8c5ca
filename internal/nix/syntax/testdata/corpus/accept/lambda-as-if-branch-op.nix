true -> (x: x) == (x: x)
