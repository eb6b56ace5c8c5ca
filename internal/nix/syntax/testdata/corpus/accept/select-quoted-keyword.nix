let s = { }; in s."if" or 1
