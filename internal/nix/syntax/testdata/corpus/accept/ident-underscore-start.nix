let _x = 1; __y = 2; in _x + __y
