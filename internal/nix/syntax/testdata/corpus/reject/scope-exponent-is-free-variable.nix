# `1e3` is 1 applied to the unbound variable e3.
1e3
