{ a.or.b = 1; }.a.or.b
