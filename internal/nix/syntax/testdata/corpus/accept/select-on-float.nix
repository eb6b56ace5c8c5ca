# `1.5.x` is the float 1.5 with `.x` selected.
1.5.x
