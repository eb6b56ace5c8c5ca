x :x
