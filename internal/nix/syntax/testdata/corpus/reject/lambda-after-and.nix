true && x: x
