# `<-` is not an operator: this is a < (-a).
let a = 1; in a <- a
