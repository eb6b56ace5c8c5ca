# `01.5` is the int 01 applied to the float .5.
01.5
