let a = true; b = true; in a ->b
