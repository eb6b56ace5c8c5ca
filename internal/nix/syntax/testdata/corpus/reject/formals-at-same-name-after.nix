{ a }@a: a
