# `a.b/c` is a path, not a select.
a.b/c
