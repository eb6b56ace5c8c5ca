x:x:x
