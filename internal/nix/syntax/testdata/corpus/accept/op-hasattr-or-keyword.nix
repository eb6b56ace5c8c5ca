let x = { }; in x ? or
