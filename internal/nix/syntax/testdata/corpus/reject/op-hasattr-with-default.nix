let x = { }; c = 1; in x ? a.b or c
