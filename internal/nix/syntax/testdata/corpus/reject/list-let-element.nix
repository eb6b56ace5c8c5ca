[ let in 1 ]
