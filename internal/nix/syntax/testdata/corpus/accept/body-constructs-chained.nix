assert true; assert true; with { }; let in x: x
