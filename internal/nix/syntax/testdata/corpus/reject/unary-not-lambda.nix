!x: x
