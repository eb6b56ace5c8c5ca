# /* not opened
1
