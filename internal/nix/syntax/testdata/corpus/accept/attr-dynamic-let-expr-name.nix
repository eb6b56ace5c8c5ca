{ ${ let x = { }; in "a" } = 1; }
