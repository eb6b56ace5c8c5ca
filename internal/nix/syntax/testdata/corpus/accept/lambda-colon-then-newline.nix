x:
  x
