let f = x: x; or = 1; in [ f or ]
