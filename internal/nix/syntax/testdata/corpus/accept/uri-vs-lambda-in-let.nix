let f = x:x; g = x: x; in [ f (g 1) ]
