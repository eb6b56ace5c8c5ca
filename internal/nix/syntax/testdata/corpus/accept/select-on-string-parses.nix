"abc".x or 1
