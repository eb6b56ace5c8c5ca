"line one
line two"
