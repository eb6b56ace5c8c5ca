“string”
