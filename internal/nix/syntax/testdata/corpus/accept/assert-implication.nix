let a = true; b = true; in assert a -> b; a
