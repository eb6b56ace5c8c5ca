[ builtins.map true false null import ]
