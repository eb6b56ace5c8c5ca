a/b/c:d
