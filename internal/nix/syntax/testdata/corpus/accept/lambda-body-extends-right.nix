# The body takes everything to the right: x: (x + 1).
x: x + 1
