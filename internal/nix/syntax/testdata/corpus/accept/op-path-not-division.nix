# No spaces: this is the relative path ./a/b, not a divided by b.
a/b
