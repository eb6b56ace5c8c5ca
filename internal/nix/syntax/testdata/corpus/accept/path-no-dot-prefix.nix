a/b/c
