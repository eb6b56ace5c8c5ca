.a/b
