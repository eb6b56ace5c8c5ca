x : x
