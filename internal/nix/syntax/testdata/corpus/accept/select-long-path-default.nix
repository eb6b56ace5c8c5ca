{ a = 1; }.a.b.c or 1
