# Two literal sets for the same name are merged by the parser.
{ a = { b = 1; }; a = { c = 2; }; }
