1 + let in 2
