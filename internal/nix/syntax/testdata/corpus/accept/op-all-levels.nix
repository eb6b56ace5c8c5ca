let a = 1; b = [ 2 ]; c = { }; t = true; f = x: x; in
  t -> t || !t && a + f a * 2 - -a < 3 == (c // c ? x) && b ++ b != [ ]
