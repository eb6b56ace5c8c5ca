let a = [ ]; in a ++ a ? b
