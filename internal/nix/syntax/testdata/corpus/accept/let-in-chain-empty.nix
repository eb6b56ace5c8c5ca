let in let in let in 1
