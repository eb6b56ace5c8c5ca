let s = { }; in s ? a == true
