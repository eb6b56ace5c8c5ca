let a = "x"; b = { }; in a + a // b
