let x = { }; in with x; with x; 1
