let x = { }; in x ?
