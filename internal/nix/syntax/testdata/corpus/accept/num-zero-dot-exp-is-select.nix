# `0.` is not a float (needs [1-9]), so this selects e3 from 0.
0.e3
