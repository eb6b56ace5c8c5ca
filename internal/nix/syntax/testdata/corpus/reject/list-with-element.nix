[ with { }; 1 ]
