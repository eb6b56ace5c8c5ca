# Without a space after the colon this is the URI "x:x", not a lambda.
x:x
