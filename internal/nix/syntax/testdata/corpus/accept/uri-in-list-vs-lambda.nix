# In a list, `x:x` is a URI element.
[ x:x ]
